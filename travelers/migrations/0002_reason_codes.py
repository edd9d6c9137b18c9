"""The standard reason codes for refusals and referrals (modelled on the refusal grounds of
border codes in common use). Administrators can add more or deactivate them."""

from django.db import migrations

REASONS = [
    ("A", "No valid travel document", "لا توجد وثيقة سفر صالحة", "refuse"),
    ("B", "False, counterfeit or forged travel document", "وثيقة سفر مزورة أو مقلدة", "refuse"),
    ("C", "No valid visa or residence permit", "لا توجد تأشيرة أو إقامة صالحة", "refuse"),
    ("D", "False, counterfeit or forged visa or residence permit", "تأشيرة أو إقامة مزورة أو مقلدة", "refuse"),
    ("E", "Purpose and conditions of stay not justified", "لم يثبت غرض الإقامة وشروطها", "refuse"),
    ("F", "Maximum permitted stay already used", "استنفد مدة الإقامة المسموح بها", "refuse"),
    ("G", "Insufficient means of subsistence", "عدم كفاية وسائل العيش", "refuse"),
    ("H", "Subject of an alert (watchlist)", "مطلوب بموجب تعميم (قائمة مراقبة)", "both"),
    ("I", "Threat to public order, security or public health", "تهديد للنظام العام أو الأمن أو الصحة العامة", "refuse"),
    ("J", "Travel ban or exit prohibition in force", "منع سفر ساري المفعول", "refuse"),
    ("R1", "Watchlist or biometric hit to be verified", "تطابق في قائمة المراقبة أو البصمات يحتاج إلى تحقق", "refer"),
    ("R2", "Document authenticity to be verified", "التحقق من صحة الوثيقة", "refer"),
    ("R3", "Identity in doubt", "الشك في الهوية", "refer"),
    ("R4", "Purpose of travel to be verified", "التحقق من غرض السفر", "refer"),
    ("R9", "Other reason (explained in the notes)", "سبب آخر (موضح في الملاحظات)", "both"),
]


def add_reasons(apps, schema_editor):
    ReasonCode = apps.get_model("travelers", "ReasonCode")
    for code, label, label_ar, use in REASONS:
        ReasonCode.objects.get_or_create(code=code, defaults={"label": label, "label_ar": label_ar, "use": use})


def remove_reasons(apps, schema_editor):
    apps.get_model("travelers", "ReasonCode").objects.filter(code__in=[r[0] for r in REASONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("travelers", "0001_initial")]

    operations = [migrations.RunPython(add_reasons, remove_reasons)]
