"""Staff role groups (customer_service, warehouse, merchandiser, finance, admin) with the least
permissions each needs. Permissions of apps migrated later are attached by the post_migrate sync
(zizhu.accounts.roles.sync_roles_after_migrate)."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from zizhu.accounts.roles import sync_roles

    using = schema_editor.connection.alias
    for label in ("accounts", "core"):  # their permissions do not exist before the first post_migrate
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using, apps=apps)
    sync_roles(apps=apps, using=using)


def remove_roles(apps, schema_editor):
    from zizhu.accounts.roles import ROLES

    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_encrypted_phone_audit"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
