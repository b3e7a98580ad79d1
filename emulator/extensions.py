"""The emulator's extensions to moto, installed by one call (`install()`) in the order listed.

Each extension is a module in emulator/patches named after the moto gap it closes, with an
`install()` that applies its patches. An extension that wraps what another one patched must
come after it: such a dependency is written here, next to the names, never left to
alphabetical order.
"""

from __future__ import annotations

import importlib

from emulator import moto_version

PACKAGE = "emulator.patches"

EXTENSIONS = (
    # First, before the others import moto (whose modules read botocore's data at import).
    "botocore_data_loaded_once",
    # The server itself.
    "server_backend_lookup_cached",
    # Service APIs (no CloudFormation involved).
    "acm_certificate_status",
    "acm_list_certificates",
    "ecr_cross_account_registry",
    "ecr_manifest_digest",
    "ecr_layer_download",
    "iam_auth_errors_json",
    "iam_service_linked_role_names",
    # Templates read as CloudFormation reads them (by libyaml: the constructor the next one
    # gives moto registers on its loader too).
    "cfn_templates_parsed_by_libyaml",
    "cfn_yaml_short_form",
    "cfn_getazs_region",
    "cfn_parameter_values",
    # Resource types stock moto skips (models register when imported).
    "cfn_acm_certificate_resource",
    "cfn_application_autoscaling_resources",
    "cfn_cognito_resources",
    # After cfn_cognito_resources: its app clients are made and updated through the backend
    # methods this one wraps.
    "cfn_cognito_resource_server",
    "cfn_cognito_managed_login_branding",
    "cfn_cloudwatch_alarm_resource",
    "cfn_security_group_rules",
    "cfn_s3_bucket_policy_resource",
    "cfn_conditional_exports",
    "cfn_wafv2_resources",
    # Resources of stock moto types: attributes and deletes.
    "cfn_getatt_attributes",
    "cfn_delete_leaves_nothing",
    # Stack operations.
    # Its rules are read by cfn_update_keeps_resources and cfn_failed_operations_roll_back.
    "cfn_deletion_policy",
    "cfn_unsupported_types_fail",
    "cfn_stack_resources_listed_as_created",
    "cfn_outputs_settled",
    "cfn_update_keeps_resources",
    # Wraps the resource creation cfn_update_keeps_resources replaced: after it.
    "cfn_depends_on_honoured",
    "cfn_noop_update_refused",
    "cfn_failed_operations_roll_back",
    "cfn_termination_protection",
    "cfn_stack_policy_needs_updatable_stack",
    # Strictness AWS has and stock moto lacks.
    # After cfn_update_keeps_resources: registers the ALB's attributes as updated in place there.
    "elbv2_deletion_protection",
    "elbv2_jwt_validation",
    "cognito_user_pool_domain_unique",
    # Cognito's users as AWS documents them: names matched as the pool says (also by the
    # sign-out), a temporary password (read by the resend and the outbox, so first), a resend to
    # the same user, the invitation sent.
    "cognito_case_insensitive_usernames",
    "cognito_global_sign_out",
    "cognito_temporary_password",
    "cognito_resend_invitation",
    "cognito_invitation_outbox",
    # moto's shared key imported once; each pool's own signing key (and JWKS), which the
    # client-credentials grant signs with.
    "cognito_moto_key_imported_once",
    "cognito_pool_signing_keys",
    "cognito_client_credentials",
    # Only with EMULATOR_REQUIRE_SERVICE_LINKED_ROLES=1; looks roles up by the names
    # iam_service_linked_role_names gives them.
    "ecs_service_linked_role_required",
    # What runs: targets health-checked for real; a service's tasks as the local task runner
    # reports them (after ecs_service_linked_role_required, whose CreateService it wraps).
    "elbv2_target_health",
    # After cfn_update_keeps_resources: registers the target group's settings as updated in place there.
    "cfn_target_group_settings",
    "ecs_service_tasks",
)

_installed: tuple[str, ...] | None = None


def install() -> list[str]:
    """Check moto's version, then install every extension once, in order. Returns their names."""
    global _installed
    if _installed is not None:
        return list(_installed)
    moto_version.check()
    for name in EXTENSIONS:
        # Imported just before its install(), so an original a module captures at import is the
        # function as the extensions before it in the list left it. One that fails raises.
        importlib.import_module(f"{PACKAGE}.{name}").install()
    # moto caches its CloudFormation type map on first use: forget it, so the resource types the
    # extensions define are found even if something looked the map up while they loaded.
    from moto.cloudformation import parsing

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    _installed = EXTENSIONS
    return list(EXTENSIONS)
