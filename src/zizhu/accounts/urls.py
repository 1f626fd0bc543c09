from django.urls import path

from zizhu.accounts import contact_views, passkey_views, privacy_views, security_views, views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/", views.signup_confirm, name="signup_confirm"),
    path("signin/", views.SignInView.as_view(), name="signin"),
    path("signin/verify/", security_views.signin_verify, name="signin_verify"),
    path("signout/", views.SignOutView.as_view(), name="signout"),
    path("reauth/", security_views.reauth, name="reauth"),
    path("devices/", views.devices_page, name="devices"),
    path("devices/<int:device_id>/sign-out/", views.device_sign_out, name="device_sign_out"),
    path("devices/sign-out-others/", views.devices_sign_out_others, name="devices_sign_out_others"),
    path("security/", security_views.security, name="security"),
    path("security/authenticator/", security_views.totp_setup, name="totp_setup"),
    path("security/authenticator/remove/", security_views.totp_remove, name="totp_remove"),
    path("security/phrase/", security_views.phrase, name="phrase"),
    path("security/backup-codes/", security_views.backup_codes, name="backup_codes"),
    path("security/codes-by-message/", security_views.message_factor, name="message_factor"),
    path("security/passkeys/", passkey_views.passkeys_page, name="passkeys"),
    path("security/passkeys/<int:passkey_id>/rename/", passkey_views.passkey_rename, name="passkey_rename"),
    path("security/passkeys/<int:passkey_id>/remove/", passkey_views.passkey_remove, name="passkey_remove"),
    path("security/email/", contact_views.change_email, name="change_email"),
    path("security/phone/", contact_views.change_phone, name="change_phone"),
    path("password/reset/sms/", contact_views.sms_reset, name="sms_reset"),
    path("password/reset/sms/confirm/", contact_views.sms_reset_confirm, name="sms_reset_confirm"),
    path("privacy/", privacy_views.privacy_page, name="privacy"),
    path("privacy/export/", privacy_views.export, name="privacy_export"),
    path("privacy/delete/", privacy_views.delete_account, name="delete_account"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
