"""Matrix rows for notifications: every member reads and marks their own (the rows are theirs,
so no role is refused); the page and the bell show only the signed-in person's notifications."""

from notifications.models import Notification

from . import Row


def extend_world(world):
    from django.utils import timezone

    for user in world["users"].values():
        Notification.objects.create(
            organisation=world["org"],
            user=user,
            kind="overdue",
            subject="overdue:matrix:1",
            day=timezone.localdate(),
            text="Matrix work is overdue",
            url="/",
        )


def grow(world, times):
    from django.utils import timezone

    today = timezone.localdate()
    Notification.objects.bulk_create(
        Notification(
            organisation=world["org"],
            user=user,
            kind="due_soon",
            subject=f"due_soon:matrix:{i}",
            day=today,
            text=f"Matrix work {i} is due",
            url="/",
        )
        for user in world["users"].values()
        for i in range(times)
    )


ROWS = {
    "notifications:list": Row(),
    "notifications:bell": Row(),
    "notifications:read": Row(method="post", ok=(302,)),
}
