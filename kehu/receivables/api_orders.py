"""The order steps that write receivables, on the order's URL (PLT-2): invoicing a delivered
order writes its invoice (AR-1), POST /orders/{id}/invoice/; a return writes its credit note
when the order was invoiced (ORD-2, AR-1), POST /orders/{id}/returns/. Sales offers the order,
receivables the step: sales does not depend on receivables."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from kehu.receivables import services
from kehu.sales import selectors as sales_selectors
from kehu.sales.api import (
    ERRORS,
    HasScope,
    OrderSerializer,
    OrderStepSerializer,
    ReturnCreateSerializer,
    ReturnSerializer,
    order_response,
    valid_data,
)


class OrderInvoiceView(generics.GenericAPIView):
    permission_classes = [HasScope]
    serializer_class = OrderStepSerializer

    @extend_schema(summary=_("Invoice a delivered order"), request=OrderStepSerializer,
                   responses={200: OrderSerializer, **ERRORS}, operation_id="orders_invoice_create", tags=["orders"])
    def post(self, request, pk):
        order = sales_selectors.order_get_for_user(user=request.user, pk=pk, write=True)
        data = valid_data(OrderStepSerializer, request)
        order = services.order_invoice(by=request.user, order=order, version=data["version"], on=data.get("on"))
        return order_response(order, request)


class OrderReturnView(generics.GenericAPIView):
    permission_classes = [HasScope]
    serializer_class = ReturnCreateSerializer

    @extend_schema(summary=_("Record a return of the order (ORD-2)"), request=ReturnCreateSerializer,
                   responses={201: ReturnSerializer, **ERRORS}, operation_id="orders_returns_create",
                   tags=["orders"])
    def post(self, request, pk):
        order = sales_selectors.order_get_for_user(user=request.user, pk=pk, write=True)
        data = valid_data(ReturnCreateSerializer, request)
        ret = services.return_record(by=request.user, order=order, version=data["version"], kind=data["kind"],
                                     reason=data["reason"], responsible=data["responsible"],
                                     lines=data.get("lines"), returned_on=data.get("returned_on"),
                                     follow_up=data.get("follow_up", ""))
        ret = sales_selectors.return_get_for_user(user=request.user, pk=ret.pk)
        return Response(ReturnSerializer(ret, context={"request": request}).data, status=status.HTTP_201_CREATED)
