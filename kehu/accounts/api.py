"""PLT-2: a program logs in for a token: POST username and password to /api/v1/auth/token/,
then send `Authorization: Token <token>`. Each call makes a new token, shown once; its owner
lists and revokes them on the API tokens page (accounts:tokens)."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response

from kehu.accounts import services
from kehu.core.api import ERRORS, valid_data


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    name = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                 help_text=gettext_lazy("What the token is for, to tell your tokens apart."))
    days = serializers.IntegerField(required=False, min_value=1, max_value=100_000,
                                    help_text=gettext_lazy("How many days the token is valid; "
                                                           "default KEHU_API_TOKEN_DAYS."))


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=gettext_lazy("Shown this once; only its hash is kept."))
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainTokenView(generics.GenericAPIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    serializer_class = TokenRequestSerializer

    @extend_schema(summary=gettext_lazy("Log in for an API token"), request=TokenRequestSerializer,
                   responses={200: TokenSerializer, 400: ERRORS[400]})
    def post(self, request):
        data = valid_data(TokenRequestSerializer, request)
        user = authenticate(request=request._request, username=data["username"], password=data["password"])
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Wrong username or password. Accounts are locked after repeated failures.")]})
        made = services.api_token_create(by=user, name=data.get("name", ""), days=data.get("days"))
        return Response(TokenSerializer({"token": made.key, "name": made.token.name,
                                         "expires_at": made.token.expires_at}).data)
