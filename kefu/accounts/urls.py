from django.contrib.auth import views as django_auth_views
from django.urls import path

from kefu.accounts.views import admin, auth, me

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/code/", auth.login_code, name="login_code"),
    path("logout/", django_auth_views.LogoutView.as_view(), name="logout"),
    path("language/", auth.set_language, name="set_language"),
    path("password/", auth.PasswordChangeView.as_view(), name="password_change"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", auth.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", me.profile, name="profile"),
    path("tokens/", me.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", me.token_revoke, name="token_revoke"),
    path("two-factor/", me.two_factor, name="two_factor"),
    path("two-factor/start/", me.two_factor_start, name="two_factor_start"),
    path("two-factor/confirm/", me.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/disable/", me.two_factor_disable, name="two_factor_disable"),
    path("users/", admin.user_list, name="user_list"),
    path("users/new/", admin.user_create, name="user_create"),
    path("users/<int:pk>/", admin.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", admin.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/activate/", admin.user_activate, name="user_activate"),
    path("users/<int:pk>/password/", admin.user_password, name="user_password"),
    path(
        "users/<int:pk>/two-factor/reset/",
        admin.user_two_factor_reset,
        name="user_two_factor_reset",
    ),
    path("teams/", admin.team_list, name="team_list"),
    path("teams/new/", admin.team_create, name="team_create"),
    path("teams/<int:pk>/", admin.team_edit, name="team_edit"),
    path("teams/<int:pk>/delete/", admin.team_delete, name="team_delete"),
]
