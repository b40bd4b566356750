"""Words of the reviewers' report in English and Arabic; private to :mod:`b12risk.report`.

Field, cause, symptom and biomarker labels come from the knowledge base (``label_en`` /
``label_ar``); sources and citations are shown as written in ``seeds/``. This module
holds only the report's own words: ``WORDS[key] = (english, arabic)``, filled with
:meth:`str.format` where they take values. The Arabic model-card texts translate
:mod:`b12risk.modelcard` item by item (a test checks that the counts match).
"""

from __future__ import annotations

INTENDED_USE_AR = (
    "أداة مساعدة للقرار في تحديد البالغين الذين ينبغي فحصهم أو علاجهم من نقص فيتامين ب12 (الكوبالامين): "
    "تقدّر احتمال أن تكون حالة ب12 الحقيقية لدى المريض ناقصة (أقل من 148 بيكومول/لتر) انطلاقاً من عوامل "
    "الخطر والأعراض وما يتوفر من نتائج مخبرية. ليست تشخيصاً، ولا تحل محل الحكم السريري أو الفحوص المؤكِّدة."
)
USERS_AR = "الأطباء والتطبيقات السريرية (عبر b12risk.predict)، وعلماء البيانات الذين يعيدون تدريب النموذج، والمراجعون."
OUT_OF_SCOPE_AR = [
    "تشخيص النقص أو تقرير العلاج اعتماداً على مخرجات النموذج وحدها.",
    "الأطفال والرضّع (خطر الرضّع الذين ترضعهم أمهات نباتيات غير منمذج)؛ تُرفض الأعمار دون 18 سنة.",
    "فئات سكانية أو طرق قياس أو وحدات مخبرية لا تشبه ما في قاعدة المعرفة، والمرضى الذين يتلقون حقن ب12 أصلاً.",
    "أي استخدام دليلاً على الصلاحية السريرية: لم يرَ النموذج مريضاً حقيقياً قط.",
]
LIMITATIONS_AR = [
    "دُرّب فقط على مجموعات اصطناعية وُلّدت من معرفة موثقة (seeds/)، فهو في الغالب يعيد اكتشاف تلك القواعد. "
    "تفوّقه على خطوط الأساس المبنية على القواعد يدل على أنه تعلّم القواعد وتفاعلاتها، لا على صلاحيته السريرية.",
    "أكثر الافتراضات البنيوية تأثيراً: التباين الكامن المتبقي بعد الأسباب المسماة (انحراف معياري 0.20 بوحدات "
    "اللوغاريتم)، وعدم دقة قياس ب12 في المصل وقراءاته الطبيعية الكاذبة، وأحجام تأثير النظام الغذائي والعمر "
    "وأسباب سوء الامتصاص، ومعدلات الأعراض في غياب النقص (افتراضات نمذجة).",
    "معدلات الانتشار معايَرة على أرقام المقال المصدر (6% / 20% / 40% / حتى 80%)، وهي نفسها تقديرات مقرّبة.",
    "تختلف السيناريوهات فقط في من تضم، بينما قد تختلف الفئات الحقيقية أيضاً في طريقة تأثير الأسباب.",
]

WORDS: dict[str, tuple[str, str]] = {
    # top of the page
    # "\u2066...\u2069" keeps "b12risk 1.0.0" in Latin order inside the Arabic title.
    "title": ("b12risk {version}: reviewers' report", "\u2066b12risk {version}\u2069: تقرير المراجعين"),
    "subtitle": (
        "Vitamin B12 deficiency risk model: what it is for, where its knowledge comes from, how well it performs "
        "and whether it agrees with the documented knowledge.",
        "نموذج خطر نقص فيتامين ب12: الغرض منه، ومصادر معرفته، ومدى جودة أدائه، ومدى اتفاقه مع المعرفة الموثقة.",
    ),
    "not_diagnosis_head": ("Decision support, NOT a diagnosis.", "أداة مساعدة للقرار، وليست تشخيصاً."),
    "not_diagnosis": (
        "The model estimates the probability of vitamin B12 deficiency to help decide whom to test or treat. It "
        "does not diagnose anyone and does not replace clinical judgement or confirmatory tests.",
        "يقدّر النموذج احتمال نقص فيتامين ب12 للمساعدة في تحديد من يُفحص أو يُعالج. لا يشخّص أحداً، ولا يغني عن "
        "الحكم السريري أو الفحوص المؤكِّدة.",
    ),
    "synthetic": (
        "Trained and evaluated only on synthetic patients generated from documented rules (seeds/). Beating the "
        "rules-based baselines shows that the model learned those rules and how they interact, not that it is "
        "clinically valid: it has never seen a real patient.",
        "دُرّب النموذج وقُيّم على مرضى اصطناعيين فقط، وُلّدوا من قواعد موثقة (seeds/). تفوّقه على خطوط الأساس "
        "المبنية على القواعد يدل على أنه تعلّم تلك القواعد وتفاعلاتها، لا على صلاحيته السريرية: فهو لم يرَ مريضاً "
        "حقيقياً قط.",
    ),
    "gate_passed": ("Release gate: passed.", "بوابة الإصدار: اجتازها النموذج."),
    "gate_failed": (
        "Release gate: FAILED in {n} check(s); this version is not released.",
        "بوابة الإصدار: أخفق النموذج في {n} من الفحوص؛ هذا الإصدار غير معتمد.",
    ),
    "kc_ok": (
        "Knowledge check: every documented cause moves the predictions in its documented direction.",
        "فحص المعرفة: كل سبب موثق يحرّك التنبؤات في اتجاهه الموثق.",
    ),
    "kc_bad": (
        "Knowledge check: the model contradicts {n} documented cause(s) (learned direction opposite to the "
        "documented one, or no measurable effect):",
        "فحص المعرفة: لا يتفق النموذج مع {n} من الأسباب الموثقة (اتجاه مكتسب معاكس للموثق، أو لا أثر قابل للقياس):",
    ),
    "fp_mismatch": (
        "The knowledge base changed after this model was trained (fingerprint {recorded}… recorded, {current}… now); "
        "the provenance tables and the knowledge check use the current one.",
        "تغيّرت قاعدة المعرفة بعد تدريب هذا النموذج (البصمة المسجلة {recorded}… والحالية {current}…)؛ "
        "جداول المصادر وفحص المعرفة تستخدم القاعدة الحالية.",
    ),
    "contents": ("Contents", "المحتويات"),
    "h.model-card": ("Model card", "بطاقة النموذج"),
    "h.provenance": ("Provenance of the knowledge", "مصادر المعرفة"),
    "h.performance": ("Performance", "الأداء"),
    "h.explanations": ("Explanations (SHAP)", "التفسيرات (SHAP)"),
    "h.knowledge-check": (
        "Knowledge check: does the model agree with the documented causes?",
        "فحص المعرفة: هل يتفق النموذج مع الأسباب الموثقة؟",
    ),
    "h.tripod": ("TRIPOD+AI checklist", "قائمة TRIPOD+AI"),
    "h.reproduce": ("How to reproduce", "كيفية إعادة الإنتاج"),
    "h.top": ("Title and summary", "العنوان والملخص"),
    "h.gate": ("Release gate", "بوابة الإصدار"),
    "h.subgroups": ("Subgroups", "المجموعات الفرعية"),
    "h.examples": ("Example patients", "مرضى أمثلة"),
    "footer": (
        "Generated by b12risk {pkg} from model {version} (created {created}). Self-contained: no scripts and no "
        "external files; the figures are also in figures/ as PNG and SVG.",
        "أُنشئ بواسطة \u2066b12risk {pkg}\u2069 من النموذج {version} (أُنشئ في {created}). الصفحة مكتفية بذاتها: بلا نصوص برمجية "
        "ولا ملفات خارجية؛ والأشكال موجودة أيضاً في figures/ بصيغتي PNG وSVG.",
    ),
    # model card
    "intended_use": ("Intended use", "الاستخدام المقصود"),
    "users": ("Users", "المستخدمون"),
    "out_of_scope": ("Out of scope", "خارج النطاق"),
    "training_data": ("Training data", "بيانات التدريب"),
    "the_model": ("The model", "النموذج"),
    "limitations": ("Known limitations", "القيود المعروفة"),
    "train_rows": (
        "{n:,} synthetic patients (training seed {seed}): {fit:,} to fit the trees, {hold:,} held out to check "
        "calibration.",
        "{n:,} مريض اصطناعي (بذرة التدريب {seed}): {fit:,} لبناء الأشجار و{hold:,} محجوزة لفحص المعايرة.",
    ),
    "train_rows_fresh": (
        "{n:,} synthetic patients to fit the trees (training seed {seed}); calibration checked on a fresh "
        "simulated cohort of {cal:,} patients (seed {cseed}).",
        "{n:,} مريض اصطناعي لبناء الأشجار (بذرة التدريب {seed})؛ وفُحصت المعايرة على مجموعة محاكاة جديدة من "
        "{cal:,} مريض (البذرة {cseed}).",
    ),
    "train_labs": (
        "{share:.0%} of the rows have every laboratory test measured; the rest have the tests a clinic would "
        "have ordered.",
        "{share:.0%} من الصفوف قيست فيها كل التحاليل المخبرية؛ والباقي فيه التحاليل التي كانت العيادة ستطلبها.",
    ),
    "train_levels": (
        "Each training row is masked to one information level: {levels}.",
        "كل صف تدريب يُحجب إلى مستوى معلومات واحد: {levels}.",
    ),
    "train_missing": (
        "Missing inputs are not imputed: the boosted trees send a missing value down a learned branch, so the "
        "model reads whatever is observed.",
        "لا تُعوَّض القيم الناقصة: ترسل الأشجار المعزَّزة القيمة الناقصة في فرع مُتعلَّم، فيقرأ النموذج ما هو متاح فقط.",
    ),
    "train_imbalance": (
        "No resampling or class weights: predicted probabilities keep each scenario's prevalence.",
        "لا إعادة معاينة ولا أوزان للفئات: تحافظ الاحتمالات المتوقعة على انتشار كل سيناريو.",
    ),
    "eval_design": (
        "Evaluation: a fresh cohort per scenario (seed {seed} + the scenario's position), every lab measured, "
        "masked to each level; 95% intervals from {boot} bootstrap resamples.",
        "التقييم: مجموعة جديدة لكل سيناريو (البذرة {seed} + ترتيب السيناريو)، كل التحاليل مقيسة، ومحجوبة إلى كل "
        "مستوى؛ فترات 95% من {boot} إعادة معاينة بالتمهيد (bootstrap).",
    ),
    "model_version": (
        "Version {version}, created {created}, {state}; trained with b12risk {pkg}.",
        "الإصدار {version}، أُنشئ في {created}، {state}؛ دُرّب بواسطة \u2066b12risk {pkg}\u2069.",
    ),
    "released": ("released", "معتمد"),
    "unreleased": ("NOT released (failed the release gate)", "غير معتمد (أخفق في بوابة الإصدار)"),
    "model_type": (
        "Estimator {est}: scikit-learn HistGradientBoostingClassifier on ordinal-coded categories (no categorical "
        "splits, so SHAP values are exact); {n_iter} boosting iterations (at most {max_iter}, early stopping), "
        "learning rate {lr}, {leaves} leaves per tree, at least {leaf} patients per leaf, L2 penalty {l2}.",
        "المقدِّر {est}: مصنِّف HistGradientBoostingClassifier من scikit-learn على فئات مرمَّزة ترتيبياً (بلا "
        "تقسيمات فئوية، فقيم SHAP دقيقة)؛ {n_iter} دورة تعزيز (بحد أقصى {max_iter} مع إيقاف مبكر)، معدل تعلّم {lr}، "
        "{leaves} ورقة لكل شجرة، و{leaf} مريضاً على الأقل في كل ورقة، وعقوبة L2 قدرها {l2}.",
    ),
    "model_calibration": (
        "Calibration checked per information level on patients not used to fit the trees, and corrected "
        "(Platt scaling of the log-odds) only where it missed its tolerance: {levels}.",
        "فُحصت المعايرة لكل مستوى معلومات على مرضى لم تُبنَ عليهم الأشجار، وصُحّحت (تحجيم بلات للوغاريتم الأرجحية) "
        "فقط حيث تجاوزت حدّها المسموح: {levels}.",
    ),
    "model_output": (
        "Output: a probability of deficiency (true B12 below 148 pmol/L) and a risk band: low below {moderate}, "
        "moderate from {moderate}, high from {high}. Sensitivity and specificity use the threshold {thr}.",
        "المخرجات: احتمال النقص (ب12 الحقيقي أقل من 148 بيكومول/لتر) وفئة خطر: منخفض دون {moderate}، ومتوسط من "
        "{moderate}، ومرتفع من {high}. تُحسب الحساسية والنوعية عند العتبة {thr}.",
    ),
    "none": ("none", "لا شيء"),
    "yes": ("yes", "نعم"),
    "no": ("no", "لا"),
    # column headers
    "col.scenario": ("Scenario", "السيناريو"),
    "col.description": ("Description", "الوصف"),
    "col.share": ("Share of training rows", "حصته من صفوف التدريب"),
    "col.train_rows": ("Training rows", "صفوف التدريب"),
    "col.eval_seed": ("Evaluation seed", "بذرة التقييم"),
    "col.eval_rows": ("Evaluation patients", "مرضى التقييم"),
    "col.group": ("Calibration group", "مجموعة المعايرة"),
    "col.rows": ("Patients checked", "المرضى المفحوصون"),
    "col.slope": ("Slope (± SE)", "الميل (± الخطأ المعياري)"),
    "col.intercept": ("Intercept (± SE)", "المقطع (± الخطأ المعياري)"),
    "col.corrected": ("Corrected", "صُحّحت"),
    "col.correction": ("Correction a / b (a·z + b)", "التصحيح a / b (a·z + b)"),
    "col.key": ("Key", "المفتاح"),
    "col.cause": ("Cause", "السبب"),
    "col.kind": ("Kind", "النوع"),
    "col.mechanism": ("Mechanism", "الآلية"),
    "col.setting": ("Level or setting", "المستوى أو الإعداد"),
    "col.effect": ("Effect", "الأثر"),
    "col.unit": ("Unit", "الوحدة"),
    "col.effect_source": ("Source of the effect", "مصدر الأثر"),
    "col.source": ("Source", "المصدر"),
    "col.symptom": ("Symptom", "العَرَض"),
    "col.tier": ("Appears when deficiency is", "يظهر عندما يكون النقص"),
    "col.neuro": ("Neurological", "عصبي"),
    "col.background": ("Rate without deficiency", "المعدل دون نقص"),
    "col.rate_source": ("Source of the rate", "مصدر المعدل"),
    "col.biomarker": ("Biomarker", "المؤشر الحيوي"),
    "col.threshold": ("Threshold", "العتبة"),
    "col.value": ("Value", "القيمة"),
    "col.region": ("Region", "المنطقة"),
    "col.measure": ("Measure", "المقياس"),
    "col.definition": ("Definition", "التعريف"),
    "col.ci": ("Interval", "الفترة"),
    "col.status": ("Status", "الحالة"),
    "col.target": ("Calibration target", "هدف معايرة"),
    "col.n": ("Patients", "المرضى"),
    "col.prevalence": ("Prevalence", "الانتشار"),
    "col.scorer": ("Scorer", "المُقيِّم"),
    "col.level": ("Information level", "مستوى المعلومات"),
    "col.grouping": ("Grouping", "التجميع"),
    "col.subgroup": ("Subgroup", "المجموعة الفرعية"),
    "col.sensitivity": ("Sensitivity", "الحساسية"),
    "col.specificity": ("Specificity", "النوعية"),
    "col.flag": ("Flag and reason", "التنبيه وسببه"),
    "col.check": ("Check", "الفحص"),
    "col.by": ("Missed by", "الفارق"),
    "col.detail": ("Detail", "التفاصيل"),
    "col.patient": ("Patient", "المريض"),
    "col.probability": ("Probability", "الاحتمال"),
    "col.band": ("Risk band", "فئة الخطر"),
    "col.guideline": ("Guideline rule says", "حكم قاعدة الدليل"),
    "col.fields": ("Field(s)", "الحقول"),
    "col.with_without": ("Patients with / without", "مرضى مع / دون"),
    "col.basis": ("Basis", "الأساس"),
    "col.mean_with": ("Mean SHAP with", "متوسط SHAP مع السبب"),
    "col.mean_without": ("Mean SHAP without", "متوسط SHAP دون السبب"),
    "col.difference": ("Difference (95% CI), log-odds", "الفرق (فترة ثقة 95%)، لوغاريتم الأرجحية"),
    "col.documented": ("Documented", "الموثق"),
    "col.learned": ("Learned", "المكتسب"),
    "col.verdict": ("Verdict", "الحكم"),
    "col.item": ("Item", "البند"),
    "col.what": ("What to report", "ما يجب الإبلاغ عنه"),
    "col.where": ("Where in this page", "موضعه في هذه الصفحة"),
    "col.library": ("Library", "المكتبة"),
    "col.version": ("Version", "الإصدار"),
    "col.file": ("File", "الملف"),
    "metric.auroc": ("AUROC", "AUROC"),
    "metric.auprc": ("AUPRC", "AUPRC"),
    "metric.brier": ("Brier score", "درجة Brier"),
    "metric.cal_slope": ("Calibration slope", "ميل المعايرة"),
    "metric.cal_intercept": ("Calibration intercept", "مقطع المعايرة"),
    # provenance
    "prov_intro": (
        "Everything the simulator knows, with its unit and source, from the knowledge base (seeds/, fingerprint "
        "{fp}…). Every training patient was generated from these entries.",
        "كل ما يعرفه المحاكي، بوحدته ومصدره، من قاعدة المعرفة (seeds/، البصمة {fp}…). وُلّد كل مريض تدريب من هذه "
        "المدخلات.",
    ),
    "causes": ("Causes", "الأسباب"),
    "causes_intro": (
        "Each cause shifts the patient's latent log B12 level by its effect (−0.69 halves it); a medicine's "
        "effect grows with dose and years of use up to its full effect. Hidden causes act in the simulator but "
        "are never shown to the model.",
        "كل سبب يزيح لوغاريتم مستوى ب12 الكامن لدى المريض بمقدار أثره (−0.69 يخفضه إلى النصف)؛ ويزداد أثر الدواء "
        "مع الجرعة وسنوات الاستعمال حتى يبلغ أثره الكامل. الأسباب المخفية تعمل في المحاكي لكنها لا تُعرض على النموذج.",
    ),
    "exposure_detail": ("at {dose}, full after {years} years", "عند {dose}، كامل بعد {years} سنة"),
    "exposure_years": ("full after {years} years", "كامل بعد {years} سنة"),
    "symptoms": ("Symptoms and signs", "الأعراض والعلامات"),
    "thresholds": ("Biomarker thresholds", "عتبات المؤشرات الحيوية"),
    "scenarios": ("Scenarios", "السيناريوهات"),
    "literature": ("Published estimates", "التقديرات المنشورة"),
    "literature_intro": (
        "Status: verified in the source's abstract, reported from the study, or still to be checked. Calibration "
        "targets are tested: the simulator must reproduce them.",
        "الحالة: متحقق منه في ملخص المصدر، أو منقول من الدراسة، أو ما زال يحتاج تحققاً. أهداف المعايرة مختبَرة: "
        "يجب أن يعيد المحاكي إنتاجها.",
    ),
    "kind.binary": ("yes / no", "نعم / لا"),
    "kind.categorical": ("category", "فئوي"),
    "kind.exposure": ("medicine (years, dose)", "دواء (سنوات، جرعة)"),
    "kind.hidden": ("hidden from the model", "مخفي عن النموذج"),
    "mech.intake": ("intake", "المدخول الغذائي"),
    "mech.absorption": ("absorption", "الامتصاص"),
    "mech.demand": ("demand", "زيادة الحاجة"),
    "tier.moderate": ("moderate", "متوسطاً"),
    "tier.severe": ("severe", "شديداً"),
    "status.verified": ("verified", "متحقق منه"),
    "status.reported": ("reported", "منقول"),
    "status.check": ("to be checked", "يحتاج تحققاً"),
    # performance
    "perf_intro": (
        "Fresh synthetic cohorts, one per scenario (its own evaluation seed, every laboratory test measured), "
        "each masked to the four information levels. The same patients are scored by the model, by the oracle "
        "(the exact posterior probability given what is observed: the best any model could do) and by the "
        "rules-based baselines where they apply to every patient. Each cell: estimate (95% bootstrap interval, "
        "{boot} resamples). Higher AUROC and AUPRC and lower Brier score are better; the calibration slope "
        "should be 1 and the intercept 0.",
        "مجموعات اصطناعية جديدة، واحدة لكل سيناريو (ببذرة تقييم خاصة، وكل التحاليل مقيسة)، وكل منها محجوبة إلى "
        "مستويات المعلومات الأربعة. يقيّم المرضى أنفسهم النموذجُ، والمرجع الأمثل (الاحتمال اللاحق الدقيق بالنظر إلى "
        "ما هو مرصود: أفضل ما يمكن لأي نموذج)، وخطوط الأساس المبنية على القواعد حيث تنطبق على كل المرضى. كل خانة: "
        "التقدير (فترة bootstrap بنسبة 95%، {boot} إعادة معاينة). الأعلى أفضل في AUROC وAUPRC، والأدنى أفضل في "
        "درجة Brier؛ وينبغي أن يكون ميل المعايرة 1 والمقطع 0.",
    ),
    "curves": ("ROC and precision-recall curves", "منحنيات ROC والدقة والاستدعاء"),
    "curves_intro": (
        "Pooled over scenarios from the seeded sample of each evaluation cohort stored with the model "
        "(curves.parquet); baselines are ranked by their own score. The areas printed in each panel are for "
        "these pooled patients, so they differ from the per-scenario tables above.",
        "مجمّعة عبر السيناريوهات من العينة المحفوظة مع النموذج لكل مجموعة تقييم (curves.parquet)؛ وتُرتَّب خطوط "
        "الأساس بدرجاتها الخاصة. المساحات المطبوعة في كل لوحة تخص هؤلاء المرضى المجمّعين، لذا تختلف عن جداول "
        "السيناريوهات أعلاه.",
    ),
    "alt.roc": ("ROC curves per information level", "منحنيات ROC لكل مستوى معلومات"),
    "alt.pr": ("Precision-recall curves per information level", "منحنيات الدقة والاستدعاء لكل مستوى معلومات"),
    "cap.roc": (
        "ROC curves; the dotted diagonal is chance.",
        "منحنيات ROC؛ القطر المنقّط يمثل الصدفة.",
    ),
    "cap.pr": (
        "Precision-recall curves; the dotted line is the prevalence (a test without skill).",
        "منحنيات الدقة والاستدعاء؛ الخط المنقّط هو الانتشار (اختبار بلا مهارة).",
    ),
    "calibration": ("Calibration", "المعايرة"),
    "calibration_intro": (
        "Smoothed (lowess) observed proportion against predicted probability, one curve per scenario, on the "
        "stored curve sample; the dashed diagonal is perfect calibration. The legend gives each scenario's "
        "calibration slope and intercept with 95% intervals from the evaluation table (targets 1 and 0). The "
        "strip below counts patients per predicted probability (log scale).",
        "النسبة الفعلية المنعّمة (lowess) مقابل الاحتمال المتوقع، منحنى لكل سيناريو على العينة المحفوظة؛ والقطر "
        "المتقطع هو المعايرة المثالية. يعرض مفتاح الشكل ميل المعايرة ومقطعها لكل سيناريو مع فترات 95% من جدول "
        "التقييم (الهدف 1 و0). ويعدّ الشريط السفلي المرضى لكل احتمال متوقع (مقياس لوغاريتمي).",
    ),
    "alt.calibration": ("Calibration curves: {level}", "منحنيات المعايرة: {level}"),
    "decision": ("Decision curves", "منحنيات القرار"),
    "decision_intro": (
        "Net benefit of testing the patients whose predicted probability reaches the threshold, against testing "
        "everyone and no one, for thresholds 0.01 to 0.60, pooled over scenarios. A strategy helps where its "
        "curve lies above both 'test all' and 'test none'; the oracle shows the best achievable.",
        "الفائدة الصافية لفحص المرضى الذين يبلغ احتمالهم المتوقع العتبة، مقارنة بفحص الجميع وعدم فحص أحد، لعتبات "
        "من 0.01 إلى 0.60، مجمّعة عبر السيناريوهات. تفيد الاستراتيجية حيث يعلو منحناها منحنيي «فحص الجميع» و«عدم "
        "فحص أحد»؛ ويبيّن المرجع الأمثل أفضل ما يمكن تحقيقه.",
    ),
    "alt.decision": ("Decision curves per information level", "منحنيات القرار لكل مستوى معلومات"),
    "subgroups": ("Subgroups", "المجموعات الفرعية"),
    "subgroups_intro": (
        "Model performance in subgroups of the pooled evaluation cohorts of each level (a seeded subsample of up "
        "to {rows:,} patients per level). A subgroup is flagged (red) only when its whole 95% interval is on the "
        "wrong side: AUROC below both the overall AUROC and what its own case mix allows, calibration slope "
        "outside 0.8–1.25, or intercept outside ±0.2. The reasons are quoted from subgroups.csv.",
        "أداء النموذج في المجموعات الفرعية لمجموعات التقييم المجمّعة لكل مستوى (عينة فرعية ثابتة البذرة حتى {rows:,} "
        "مريض لكل مستوى). لا تُنبَّه المجموعة (بالأحمر) إلا إذا وقعت فترة 95% كلها في الجانب الخاطئ: AUROC أدنى من "
        "الإجمالي ومما يسمح به مزيج حالاتها، أو ميل معايرة خارج 0.8–1.25، أو مقطع خارج ±0.2. الأسباب منقولة كما هي "
        "من subgroups.csv.",
    ),
    "subgroup_summary": ("{k} of {n} rows flagged.", "{k} من {n} صفاً عليها تنبيه."),
    "flagged": ("FLAGGED:", "تنبيه:"),
    "gate": ("Release gate", "بوابة الإصدار"),
    "gate_criteria": (
        "Criteria, checked in every scenario × level: model AUROC no more than {margin} below the oracle's and "
        "above every applicable baseline's; calibration slope within [{lo}, {hi}]; |calibration intercept| at "
        "most {imax}.",
        "المعايير، مفحوصة في كل سيناريو × مستوى: ألا يقل AUROC النموذج عن نظيره لدى المرجع الأمثل بأكثر من {margin} "
        "وأن يتجاوز كل خط أساس منطبق؛ وميل معايرة ضمن [{lo}, {hi}]؛ والقيمة المطلقة لمقطع المعايرة {imax} على الأكثر.",
    ),
    # explanations
    "expl_intro": (
        "Exact TreeSHAP contributions to the model's log-odds (no background data, so they add up exactly to each "
        "prediction) for {n:,} fresh synthetic patients ({mix}): each scenario drawn with its evaluation seed, "
        "never the training seed, every lab measured, then masked to the level shown. A positive value raises the "
        "predicted risk.",
        "مساهمات TreeSHAP الدقيقة في لوغاريتم أرجحية النموذج (بلا بيانات خلفية، فمجموعها يساوي كل تنبؤ تماماً) "
        "لـ {n:,} مريض اصطناعي جديد ({mix}): كل سيناريو مولَّد ببذرة التقييم الخاصة به، لا ببذرة التدريب، وكل "
        "التحاليل مقيسة، ثم محجوبة إلى المستوى المعروض. القيمة الموجبة ترفع الخطر المتوقع.",
    ),
    "alt.beeswarm": ("SHAP summary: {level}", "ملخص SHAP: {level}"),
    "cap.beeswarm": (
        "Each dot is one patient; fields ordered by mean absolute contribution; colour is the field's value "
        "(grey: not given, or a category). At the risk-factors level the laboratory fields are not given, and "
        "their dots show what the absence of a value contributes.",
        "كل نقطة مريض واحد؛ الحقول مرتبة حسب متوسط المساهمة المطلقة؛ واللون قيمة الحقل (الرمادي: غير مُدخل أو "
        "فئوي). في مستوى عوامل الخطر لا تُعطى الحقول المخبرية، وتبيّن نقاطها ما يسهم به غياب القيمة.",
    ),
    "dependence": ("Dependence plots", "مخططات الاعتماد"),
    "dependence_intro": (
        "How one field's contribution changes with its value across the held-out patients; the strip at the "
        "start of the axis holds patients without a value.",
        "كيف تتغير مساهمة حقل واحد مع قيمته عبر المرضى المحجوزين؛ والشريط في بداية المحور للمرضى الذين لا قيمة لهم.",
    ),
    "cap.dependence": (
        "{field}: SHAP contribution against its value; {level}.",
        "{field}: مساهمة SHAP مقابل القيمة؛ {level}.",
    ),
    "cap.coloured": ("Dots coloured by {color}.", "النقاط ملوّنة حسب {color}."),
    "examples": ("Example patients", "مرضى أمثلة"),
    "examples_intro": (
        "The invented example patients of data/examples/ scored by this model. The waterfall of each shows how its "
        "fields move the prediction from the model's average (log-odds; top axis: probability).",
        "المرضى الأمثلة المتخيَّلون في data/examples/ كما يقيّمهم هذا النموذج. يبيّن مخطط الشلال لكل منهم كيف تحرّك "
        "حقوله التنبؤ انطلاقاً من متوسط النموذج (لوغاريتم الأرجحية؛ المحور العلوي: الاحتمال).",
    ),
    "examples_missing": (
        "The example patients (data/examples/) are not part of this installation, so their waterfalls are left out.",
        "المرضى الأمثلة (data/examples/) ليسوا جزءاً من هذا التثبيت، لذا حُذفت مخططات الشلال الخاصة بهم.",
    ),
    "order_intro": (
        "Expected ranking (data/examples/expected_order.toml): {k} of {n} expectations hold.",
        "الترتيب المتوقع (data/examples/expected_order.toml): تتحقق {k} من {n} توقعات.",
    ),
    "order.highest": (
        "{name} in the top third: ranked {rank} of {n}.",
        "{name} في الثلث الأعلى: ترتيبه {rank} من {n}.",
    ),
    "order.lowest": (
        "{name} in the bottom third: ranked {rank} of {n}.",
        "{name} في الثلث الأدنى: ترتيبه {rank} من {n}.",
    ),
    "order.pair": ("{a} ({pa}) above {b} ({pb}).", "{a} ({pa}) أعلى من {b} ({pb})."),
    "ok": ("holds", "متحقق"),
    "not_ok": ("FAILS", "غير متحقق"),
    # knowledge check
    "kc_intro": (
        "For every documented cause: the mean SHAP contribution (log-odds) of its field(s) among held-out patients "
        "who have it, minus the mean among those who do not (for a diet or surgery level: those at the reference "
        "level), with everything observed at the risk-factors level. Where fewer than {min} held-out patients "
        "have a cause, it is switched on in up to {k} patients who do not have it (what-if: the same patients "
        "before and after; a medicine at its reference dose for as many years as its effect takes to be full). "
        "The model learned an effect when the 95% interval excludes zero and the difference is at least {eps} "
        "log-odds. Contradictions (a learned direction opposite to the documented one, or no measurable effect) "
        "are marked red.",
        "لكل سبب موثق: متوسط مساهمة SHAP (لوغاريتم الأرجحية) لحقوله لدى المرضى المحجوزين الذين لديهم السبب، مطروحاً "
        "منه المتوسط لدى من ليس لديهم (وفي مستويات النظام الغذائي أو الجراحة: من هم في المستوى المرجعي)، مع رصد كل "
        "شيء في مستوى عوامل الخطر. وحيث يقل عدد المرضى المحجوزين الذين لديهم السبب عن {min}، يُفعَّل السبب لدى ما "
        "يصل إلى {k} مريض ليس لديهم (افتراضي: المرضى أنفسهم قبل وبعد؛ والدواء بجرعته المرجعية لعدد السنوات اللازم "
        "لاكتمال أثره). يُعدّ الأثر مكتسباً إذا استبعدت فترة 95% الصفر وبلغ الفرق {eps} على الأقل. التناقضات (اتجاه "
        "مكتسب معاكس للموثق، أو لا أثر قابل للقياس) معلَّمة بالأحمر.",
    ),
    "kc_hidden": (
        "Hidden causes ({names}) act in the simulator but are never shown to the model (only a known diagnosis of "
        "pernicious anaemia is an input), so they are not checked here.",
        "الأسباب المخفية ({names}) تعمل في المحاكي لكنها لا تُعرض على النموذج أبداً (المُدخل الوحيد منها تشخيص "
        "معروف لفقر الدم الخبيث)، لذا لا تُفحص هنا.",
    ),
    "basis.observed": ("observed", "مرصود"),
    "basis.what-if": ("what-if", "افتراضي"),
    "dir.raises": ("raises risk", "يرفع الخطر"),
    "dir.lowers": ("lowers risk", "يخفض الخطر"),
    "dir.none": ("no measurable effect", "لا أثر قابل للقياس"),
    "verdict.agrees": ("agrees", "يتفق"),
    "verdict.opposite": ("OPPOSITE to the documented direction", "معاكس للاتجاه الموثق"),
    "verdict.none": ("NO measurable effect", "لا أثر قابل للقياس"),
    # TRIPOD+AI
    "tripod_intro": (
        "Reporting items of the TRIPOD+AI statement (Collins et al., BMJ 2024), paraphrased, with where this page "
        "covers each. Items about real participants do not apply to synthetic data; the reason is given.",
        "بنود الإبلاغ في بيان TRIPOD+AI (Collins وزملاؤه، BMJ 2024) بصياغة موجزة، مع موضع تغطية كل منها في هذه "
        "الصفحة. البنود الخاصة بمشاركين حقيقيين لا تنطبق على البيانات الاصطناعية، ويُذكر السبب.",
    ),
    "na_synthetic": ("not applicable (synthetic data)", "لا ينطبق (بيانات اصطناعية)"),
    "na.dates": (
        "the cohorts are generated, not collected; the model's creation time is in the model card",
        "المجموعات مولَّدة لا مجموعة، ووقت إنشاء النموذج مذكور في بطاقة النموذج",
    ),
    "na.ethics": ("no person's data are used", "لا تُستخدم بيانات أي شخص"),
    "na.funding": (
        "no funding or competing interests are recorded with the model, and no participants are involved",
        "لا تمويل ولا تضارب مصالح مسجلاً مع النموذج، ولا مشاركين",
    ),
    "na.protocol": (
        "no study protocol or registration: no one is enrolled",
        "لا بروتوكول دراسة ولا تسجيل: لا أحد مسجَّل في دراسة",
    ),
    "na.public": ("there are no patients to involve", "لا يوجد مرضى لإشراكهم"),
    # reproduce
    "repro_intro": (
        "The same config, seeds and library versions give the same cohorts and should give the same model; this "
        "page is rebuilt byte for byte from the model folder.",
        "الإعدادات والبذور وإصدارات المكتبات نفسها تعطي المجموعات نفسها وينبغي أن تعطي النموذج نفسه؛ وتُعاد هذه "
        "الصفحة بايتاً ببايت من مجلد النموذج.",
    ),
    "default_config": (
        "the shipped default config, as this model; it writes the next free version",
        "الإعدادات الافتراضية المرفقة، كهذا النموذج؛ ويكتب الإصدار الشاغر التالي",
    ),
    "cmd_train": (
        "train again into a separate registry (a version, once written, is never overwritten)",
        "أعد التدريب في سجل منفصل (الإصدار المكتوب لا يُستبدل أبداً)",
    ),
    "cmd_report": ("this page, in English and in Arabic", "هذه الصفحة بالإنجليزية وبالعربية"),
    "config": ("Training config", "إعدادات التدريب"),
    "config_intro": (
        "The model's training config, from its metadata (save it as config.toml for the train command above "
        "when it differs from the shipped default).",
        "إعدادات تدريب النموذج من بياناته الوصفية (احفظها باسم config.toml لأمر التدريب أعلاه إن اختلفت عن "
        "الإعدادات الافتراضية المرفقة).",
    ),
    "versions": ("Library versions at training time", "إصدارات المكتبات وقت التدريب"),
    "fingerprint": ("Knowledge fingerprint", "بصمة قاعدة المعرفة"),
    "fp_recorded": ("recorded in the model", "المسجلة في النموذج"),
    "fp_current": ("current seeds/", "مجلد seeds/ الحالي"),
    "fp_match": ("match", "متطابقتان"),
    "files": ("Model files (SHA-256)", "ملفات النموذج (SHA-256)"),
}

#: TRIPOD+AI items: (number, (English, Arabic), anchors covering it or "n/a:<reason key>").
TRIPOD: list[tuple[str, tuple[str, str], str]] = [
    (
        "1",
        (
            "Title: says that a prediction model is developed and evaluated, for whom and for which outcome",
            "العنوان: يذكر أن نموذجاً تنبؤياً يُطوَّر ويُقيَّم، ولمن، ولأي نتيجة",
        ),
        "top",
    ),
    (
        "2",
        (
            "Abstract: a short structured summary of aims, data, methods, results and conclusions",
            "الملخص: خلاصة منظمة قصيرة للأهداف والبيانات والطرق والنتائج والاستنتاجات",
        ),
        "top model-card",
    ),
    (
        "3",
        (
            "Background: the healthcare context, the model's intended role and known differences between groups",
            "الخلفية: السياق الصحي والدور المقصود للنموذج والفروق المعروفة بين المجموعات",
        ),
        "model-card provenance",
    ),
    (
        "4",
        ("Objectives: what is developed or evaluated, and why", "الأهداف: ما الذي يُطوَّر أو يُقيَّم ولماذا"),
        "model-card",
    ),
    (
        "5a",
        (
            "Source of data: where the data come from and how they were produced",
            "مصدر البيانات: من أين أتت البيانات وكيف أُنتجت",
        ),
        "model-card provenance",
    ),
    ("5b", ("Dates of data collection", "تواريخ جمع البيانات"), "n/a:dates"),
    (
        "6",
        (
            "Participants: setting, eligibility and any treatment received",
            "المشاركون: الإطار ومعايير الأهلية وأي علاج تلقوه",
        ),
        "model-card provenance",
    ),
    (
        "7",
        ("Data preparation: pre-processing and quality checks", "إعداد البيانات: المعالجة المسبقة وفحوص الجودة"),
        "model-card reproduce",
    ),
    (
        "8",
        (
            "Outcome: what is predicted and how and when it is assessed (here known exactly: true B12 below 148 pmol/L)",
            "النتيجة: ما الذي يُتنبأ به وكيف ومتى يُقيَّم (معروفة هنا بدقة: ب12 الحقيقي أقل من 148 بيكومول/لتر)",
        ),
        "model-card",
    ),
    (
        "9",
        ("Predictors: which inputs, how and when they are measured", "المتنبئات: أي المدخلات، وكيف ومتى تُقاس"),
        "provenance model-card",
    ),
    (
        "10",
        (
            "Sample size: how the numbers of patients and events were chosen",
            "حجم العينة: كيف اختير عدد المرضى والأحداث",
        ),
        "model-card performance",
    ),
    (
        "11",
        ("Missing data: how unobserved inputs are handled", "البيانات الناقصة: كيف تُعالج المدخلات غير المرصودة"),
        "model-card",
    ),
    (
        "12",
        (
            "Analysis: model type, building and tuning, internal validation, calibration, performance measures",
            "التحليل: نوع النموذج وبناؤه وضبطه، والتحقق الداخلي، والمعايرة، ومقاييس الأداء",
        ),
        "model-card performance",
    ),
    (
        "13",
        (
            "Class imbalance: whether the outcome's rarity was handled, and how",
            "عدم توازن الفئات: هل عولجت ندرة النتيجة وكيف",
        ),
        "model-card",
    ),
    (
        "14",
        (
            "Fairness: how performance was examined across groups (age, sex, pregnancy, diet, region)",
            "الإنصاف: كيف فُحص الأداء عبر المجموعات (العمر، الجنس، الحمل، النظام الغذائي، المنطقة)",
        ),
        "subgroups",
    ),
    (
        "15",
        ("Model output: what it returns and any thresholds", "مخرجات النموذج: ما يعيده وأي عتبات"),
        "model-card",
    ),
    (
        "16",
        (
            "Differences between the development and the evaluation data",
            "الفروق بين بيانات التطوير وبيانات التقييم",
        ),
        "model-card performance",
    ),
    ("17", ("Ethical approval", "الموافقة الأخلاقية"), "n/a:ethics"),
    ("18a–b", ("Funding and conflicts of interest", "التمويل وتضارب المصالح"), "n/a:funding"),
    ("18c–d", ("Protocol and registration", "البروتوكول والتسجيل"), "n/a:protocol"),
    (
        "18e–f",
        ("Availability of data, code and the model", "إتاحة البيانات والشيفرة والنموذج"),
        "reproduce",
    ),
    ("19", ("Patient and public involvement", "إشراك المرضى والجمهور"), "n/a:public"),
    (
        "20",
        (
            "Participants: numbers of patients and events in each data set",
            "المشاركون: أعداد المرضى والأحداث في كل مجموعة بيانات",
        ),
        "model-card performance",
    ),
    (
        "22",
        (
            "Model specification: enough detail to use or rebuild the model",
            "مواصفات النموذج: تفاصيل كافية لاستعماله أو إعادة بنائه",
        ),
        "model-card reproduce",
    ),
    (
        "23",
        (
            "Model performance with confidence intervals, including in key subgroups",
            "أداء النموذج مع فترات الثقة، بما في ذلك المجموعات الفرعية الرئيسية",
        ),
        "performance subgroups",
    ),
    (
        "24",
        ("Model updating or recalibration and its results", "تحديث النموذج أو إعادة معايرته ونتائجها"),
        "model-card gate",
    ),
    (
        "25",
        (
            "Interpretation, including how the model reasons and whether that fits what is known",
            "التفسير، بما في ذلك كيف يستدل النموذج وهل يوافق ذلك المعروف",
        ),
        "explanations knowledge-check",
    ),
    (
        "26",
        ("Limitations, including the use of synthetic data", "القيود، بما فيها استخدام بيانات اصطناعية"),
        "model-card",
    ),
    (
        "27",
        (
            "Usability and implications: how to use it, how not to, and what must come next (validation on real patients)",
            "قابلية الاستخدام والتبعات: كيف يُستخدم وكيف لا يُستخدم، وما يجب أن يلي (التحقق على مرضى حقيقيين)",
        ),
        "model-card",
    ),
]
