from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0003_order_alert_level'),
    ]

    operations = [
        migrations.AlterField(
            model_name='cancellation',
            name='withdrawal_reason',
            field=models.CharField(choices=[('received', 'the day we received your request'), ('notice', 'our notice period after we have your request'), ('minimum_term', 'the end of your minimum contract period'), ('industry_process', 'the time the industry process takes'), ('requested', 'the date you asked for')], max_length=16),
        ),
    ]
