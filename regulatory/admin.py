# Regulatory documents are written through their services only (audited); no admin editing.
