"""User-facing words of predictions and figures, in English and Arabic.

Field labels come from the knowledge base (``label_en`` / ``label_ar`` in ``seeds/``);
this table holds the few words that are not fields. Nothing is machine-translated at
run time.
"""

from __future__ import annotations

from b12risk.errors import ConfigError

LANGUAGES = ("en", "ar")

TEXT: dict[str, dict[str, str]] = {
    "low": {"en": "low", "ar": "منخفض"},
    "moderate": {"en": "moderate", "ar": "متوسط"},
    "high": {"en": "high", "ar": "مرتفع"},
    "risk": {"en": "risk", "ar": "الخطر"},
    "probability": {"en": "Probability of vitamin B12 deficiency", "ar": "احتمال نقص فيتامين ب12"},
    "raises": {"en": "raises", "ar": "يرفع"},
    "lowers": {"en": "lowers", "ar": "يخفض"},
    "raised_most": {"en": "Raised most by", "ar": "أكثر ما رفعه"},
    "lowered_most": {"en": "Lowered most by", "ar": "أكثر ما خفضه"},
    "not_given": {"en": "fields not given", "ar": "حقول لم تُعطَ"},
    "yes": {"en": "yes", "ar": "نعم"},
    "no": {"en": "no", "ar": "لا"},
    "disclaimer": {"en": "Decision support, not a diagnosis.", "ar": "أداة مساعدة للقرار وليست تشخيصاً."},
    "level.risk_factors": {"en": "risk factors only", "ar": "عوامل الخطر فقط"},
    "level.symptoms": {"en": "risk factors and symptoms", "ar": "عوامل الخطر والأعراض"},
    "level.serum_b12": {"en": "with serum B12", "ar": "مع فيتامين ب12 في المصل"},
    "level.full_panel": {"en": "with the full laboratory panel", "ar": "مع لوحة التحاليل الكاملة"},
    "guideline.deficient": {"en": "deficient", "ar": "نقص"},
    "guideline.indeterminate": {"en": "indeterminate", "ar": "غير حاسم"},
    "guideline.not_deficient": {"en": "not deficient", "ar": "لا نقص"},
}


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ConfigError(f"language must be one of {', '.join(LANGUAGES)}; got {language!r}")
    return language


def t(key: str, language: str) -> str:
    """The word for ``key`` in ``language``."""
    return TEXT[key][language]


#: Units shown differently in Arabic; laboratory units stay in their international form.
UNITS_AR = {"years": "سنة", "pills/day": "حبة/يوم", "mg/day": "ملغ/يوم"}


#: Other spellings of a unit that a field's Arabic label may already carry, "(سنوات)".
UNIT_ALIASES_AR = {"years": ("سنوات",)}


def unit_forms(unit: str | None, language: str) -> tuple[str, ...]:
    """Every way ``unit`` may be written in ``language`` (shown form first)."""
    if unit is None:
        return ()
    shown = t_unit(unit, language)
    return (shown, *(UNIT_ALIASES_AR.get(unit, ()) if language == "ar" else ()))


def t_unit(unit: str | None, language: str) -> str | None:
    """A unit as shown in ``language``."""
    if unit is None or language != "ar":
        return unit
    return UNITS_AR.get(unit, unit)
