import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0005_outbox_message_topics'),
    ]

    operations = [
        migrations.CreateModel(
            name='PublicFormAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('form', models.CharField(max_length=30)),
                ('hour', models.DateTimeField(help_text='The start of the clock hour (UTC) the warning is for.')),
                ('count', models.PositiveIntegerField(help_text='Uses of the form in the hour before the warning.')),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
        ),
        migrations.AddField(
            model_name='publicformuse',
            name='recipient',
            field=models.CharField(blank=True, help_text='A hash of the normalised email or postal address the mail went to.', max_length=64),
        ),
        migrations.AddIndex(
            model_name='publicformuse',
            index=models.Index(fields=['form', 'recipient', 'at'], name='portal_publicform_recipient'),
        ),
        migrations.AddConstraint(
            model_name='publicformalert',
            constraint=models.UniqueConstraint(fields=('form', 'hour'), name='portal_one_public_form_alert_per_hour'),
        ),
    ]
