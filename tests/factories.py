"""factory-boy factories for the named cast and the records they work on."""

import datetime as dt
import functools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Category
from cases.services import submit_complaint
from enterprises.credit_codes import check_character
from enterprises.models import Company, Estate, Evaluation, EvaluationOrganisation, StaffProfile
from enterprises.models.evaluations import DIMENSIONS
from foundation.models import District
from foundation.roles import Role

PASSWORD = "Test-password-2026"


@functools.cache
def password_hash() -> str:
    return make_password(PASSWORD)


def valid_credit_code(first17: str) -> str:
    return first17 + check_character(first17)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"district-{n}")
    name = factory.Sequence(lambda n: f"测试{n}区")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"测试物业服务有限公司{n}")
    credit_code = factory.Sequence(lambda n: valid_credit_code(f"91330100MA{n:07d}"))
    district = factory.SubFactory(DistrictFactory)


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    name = factory.Sequence(lambda n: f"翠湖花园{n}期")
    address = factory.Sequence(lambda n: f"湖滨路{n}号")
    district = factory.SubFactory(DistrictFactory)
    households = 480
    managing_company = factory.SubFactory(
        CompanyFactory, district=factory.SelfAttribute("..district")
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    # Hashed once per run: a real PBKDF2 hash per user made each test a second slower.
    password = factory.LazyFunction(lambda: password_hash())

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        self.save()


def make_user(username: str, role: str | None, **profile) -> object:
    user = UserFactory(username=username, role=role)
    if profile:
        StaffProfile.objects.update_or_create(user=user, defaults=profile)
    if role in (Role.OFFICIAL, Role.ADMINISTRATOR):
        give_second_factor(user)
    return user


def give_second_factor(user) -> object:
    """Officials and administrators have an authenticator, and ``force_login`` marks their
    session verified: django-otp's own ``user_logged_in`` receiver calls
    ``django_otp.login(request, user.otp_device)``, exactly as after its OTP-aware login
    form. The second-factor tests build users without one."""
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="authenticator", defaults={"confirmed": True}
    )
    user.otp_device = device
    return user


def make_complaint(
    *,
    estate: Estate | None = None,
    description: str = "电梯停运三天，无人维修",
    category: str = Category.FACILITIES,
    phone: str = "13812345678",
):
    return submit_complaint(
        actor=None,
        category=category,
        description=description,
        contact_phone=phone,
        estate=estate,
        estate_name=estate.name if estate else "无名小区",
    )


def make_evaluation_organisation(
    name: str = "青岚评估有限公司",
    credit_code: str = "91330100MA0000001X",
    *,
    qualified_from: dt.date | None = None,
    qualified_until: dt.date | None = None,
) -> EvaluationOrganisation:
    """An evaluation organisation, qualified from 100 days ago to 100 days ahead unless told."""
    today = timezone.localdate()
    return EvaluationOrganisation.objects.create(
        name=name,
        credit_code=credit_code,
        qualification="物业服务评价",
        qualification_number="PJ-1",
        qualified_from=qualified_from or today - dt.timedelta(days=100),
        qualified_until=qualified_until or today + dt.timedelta(days=100),
    )


def make_evaluation(
    estate: Estate,
    evaluator,
    *,
    kind: str = "third_party",
    score: int = 85,
    period: str = "2026-Q3",
    company: Company | None = None,
) -> Evaluation:
    """An evaluation stored as is (no service checks), ``score`` on all six dimensions, of the
    estate's managing company unless ``company`` is given."""
    return Evaluation.objects.create(
        estate=estate,
        company_id=company.pk if company else estate.managing_company_id,
        evaluator=evaluator,
        evaluator_kind=kind,
        period=period,
        **dict.fromkeys(DIMENSIONS, score),
    )
