from django.db import migrations, models
from django.db.models import F


def levels_of_earlier_alerts(apps, schema_editor):
    """Orders alerted before levels existed: an alert sent after the due time was the overdue one;
    one sent before it was the at-risk one, so the overdue alert is still to come."""
    Order = apps.get_model("orders", "Order")
    alerted = Order.objects.filter(alerted_at__isnull=False)
    alerted.filter(alerted_at__gte=F("confirmation_due_at")).update(alert_level="overdue")
    alerted.filter(alerted_at__lt=F("confirmation_due_at")).update(alert_level="at_risk")


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0002_catalogue'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='order',
            name='orders_order_alert_pending',
        ),
        migrations.AddField(
            model_name='order',
            name='alert_level',
            field=models.CharField(blank=True, help_text='The last confirmation alert sent to staff: at risk, then overdue.', max_length=8),
        ),
        migrations.AlterField(
            model_name='order',
            name='alerted_at',
            field=models.DateTimeField(blank=True, help_text='When staff were last warned the confirmation was at risk or late.', null=True),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('alert_level', 'overdue'), _negated=True), fields=['confirmation_due_at'], name='orders_order_alert_pending'),
        ),
        migrations.RunPython(levels_of_earlier_alerts, migrations.RunPython.noop),
    ]
