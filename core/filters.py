import django_filters

from core.models import BorderPost, PostKind


class BorderPostFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PostKind.choices)
    is_active = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="search", label="Code or name contains")

    class Meta:
        model = BorderPost
        fields = ["kind", "is_active", "country"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_local__icontains=value))
