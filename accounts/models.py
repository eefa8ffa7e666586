"""People, the centres they belong to, and the roles they hold there."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac

ULN_PATTERN = r"^[0-9]{10}$"
ULN_SHAPE = "A ULN is exactly ten digits, such as 1234567890."
uln_validator = RegexValidator(ULN_PATTERN, ULN_SHAPE)


class Centre(models.Model):
    """A training provider. Every person and portfolio belongs to one; nothing crosses centres."""

    name = models.CharField(max_length=200, unique=True)
    # The number the awarding bodies know the centre by; set by a site operator in the admin.
    centre_number = models.CharField(
        max_length=20, blank=True, help_text="The awarding body's number for this centre."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> UserQuerySet:
        """People a signed-in person may look up: only those of their own centre."""
        if not user.is_authenticated or user.centre_id is None:
            return self.none()
        return self.filter(centre_id=user.centre_id)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("A person needs an email address to sign in with.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        if not (fields["is_staff"] and fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200)
    centre = models.ForeignKey(
        Centre,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        help_text="Leave empty only for site operators who administer the whole installation.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Can sign in to the Django admin (site operators only)."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # A learner's Unique Learner Number (Learner Records Service): ten digits, or empty.
    uln = models.CharField(
        "ULN",
        max_length=10,
        blank=True,
        validators=[uln_validator],
        help_text="The learner's Unique Learner Number: ten digits.",
    )
    session_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Raised by “Sign out everywhere”: every session signed in before is ended.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive"),
            models.CheckConstraint(
                condition=models.Q(uln="") | models.Q(uln__regex=ULN_PATTERN),
                name="user_uln_ten_digits",
            ),
            models.UniqueConstraint(
                fields=["centre", "uln"],
                condition=~models.Q(uln=""),
                name="user_uln_once_per_centre",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, with the session version once it has been raised:
        a session keeps only while both are as they were when it signed in."""
        if not self.session_version:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> frozenset[str]:
        """The roles this person holds, read once per request."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.memberships.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


class Role(models.TextChoices):
    LEARNER = "learner", "Learner"
    ASSESSOR = "assessor", "Assessor"
    TUTOR = "tutor", "Tutor"
    IQA = "iqa", "Internal quality assurer"
    CENTRE_ADMIN = "centre_admin", "Centre administrator"
    # The apprentice's line manager: sees only the portfolios that name them as employer contact.
    EMPLOYER = "employer", "Employer contact"
    # An external quality assurer's guest account: sees only the sample a grant opens to them,
    # read-only, until the grant expires or is revoked.
    EQA = "eqa", "External quality assurer"


class Membership(models.Model):
    """One role a person holds at their centre. A person may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="membership_one_per_role"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"

    def clean(self) -> None:
        super().clean()
        if self.user_id and self.user.centre_id is None:
            raise ValidationError(
                {"user": "Give this person a centre first: roles are held at a centre."}
            )


class Notification(models.Model):
    """Something a person should know: shown in the app, and mailed in a digest."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "emailed_at"], name="notification_unmailed"),
        ]

    def __str__(self) -> str:
        return self.message


class WorkerHeartbeat(models.Model):
    """One row per task worker, beaten as it loops, so anyone can see whether it is taking tasks."""

    worker_id = models.CharField(max_length=64, unique=True)
    queues = models.CharField(max_length=200)
    host = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    last_beat = models.DateTimeField(default=timezone.now)
    tasks_run = models.PositiveIntegerField(default=0)
    # The last database error it recovered from, so a worker that keeps failing is noticed.
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["queues", "-last_beat"]

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.queues})"


class Credential(models.Model):
    """An assessor's or IQA's own qualification to assess or quality-assure, such as a TAQA
    award, shown beside the decisions they make. Removing one deletes the row; the
    CredentialChange log keeps what was there."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="credentials")
    title = models.CharField(
        max_length=200,
        help_text="As on the certificate, e.g. Level 3 Certificate in Assessing Vocational "
        "Achievement (CAVA).",
    )
    awarding_body = models.CharField(max_length=200)
    achieved_on = models.DateField("date achieved")
    certificate_number = models.CharField(max_length=100, blank=True)
    expires_on = models.DateField("expiry date", null=True, blank=True)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["person", "-achieved_on", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gt=models.F("achieved_on")),
                name="credential_expires_after_achieved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.achieved_on.year}"


class CredentialAction(models.TextChoices):
    ADD = "add", "Added"
    REMOVE = "remove", "Removed"


class CredentialChangeQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise TypeError("Credential changes are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("Credential changes are append-only.")


class CredentialChange(models.Model):
    """One credential added or removed, with who did it and what it said: the accounts app's
    own append-only record, since a person's credentials belong to no portfolio."""

    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="credential_changes")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=CredentialAction.choices)
    # The credential as it was, in words: the row itself may since have been removed.
    described = models.TextField()
    at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CredentialChangeQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=CredentialAction.values),
                name="credential_change_action_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.described}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("Credential changes are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("Credential changes are append-only.")
