from django.urls import path

from kefu.portal import surveys, views, votes

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/link/", views.magic_link_request, name="magic_link_request"),
    path("login/link/<str:token>/", views.magic_login, name="magic_login"),
    path("kb/", views.kb_index, name="kb_index"),
    path("kb/suggest/", views.kb_suggest, name="kb_suggest"),
    path("kb/category/<slug:slug>/", views.kb_category, name="kb_category"),
    path("kb/vote/<str:token>/<str:choice>/", votes.vote_link, name="kb_vote_link"),
    path("kb/files/<str:token>/", views.kb_file, name="kb_file"),
    path("kb/<str:slug>/", views.kb_article, name="kb_article"),
    path("kb/<str:slug>/vote/", views.kb_vote, name="kb_vote"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("files/<str:token>/", views.attachment_download, name="attachment_download"),
    path("survey/<str:token>/", surveys.survey, name="survey"),
]
