"""What a complaint looks like in Elasticsearch.

Personal data (the complainant's name and phone) is never indexed. Text fields use the
analyzer named by ``ELASTICSEARCH_TEXT_ANALYZER``: ``standard`` on every node (it splits
Chinese into single characters, so Chinese words are matched as phrases), or a Chinese
analyzer plugin such as ``smartcn`` or ``ik_max_word`` where the cluster has one.
"""

from django.conf import settings

from cases.models import Complaint


def complaint_index_body() -> dict:
    text = {"type": "text", "analyzer": settings.ELASTICSEARCH_TEXT_ANALYZER}
    keyword = {"type": "keyword"}
    return {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "1s"},
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "tracking_number": keyword,
                "status": keyword,
                "category": keyword,
                "tier": keyword,
                "district_id": keyword,
                "district": keyword,
                "company_id": keyword,
                "company": keyword,
                "estate_id": keyword,
                "estate_name": {**text, "fields": {"raw": keyword}},
                "description": text,
                "created_at": {"type": "date"},
                "updated_at": {"type": "date"},
                # The row's updated_at in microseconds: a drift check compares it with the DB.
                "version": {"type": "long"},
            },
        },
    }


def complaint_document(complaint: Complaint) -> dict:
    return {
        "tracking_number": complaint.tracking_number,
        "status": complaint.status,
        "category": complaint.category,
        "tier": complaint.tier,
        "district_id": _id(complaint.district_id),
        "district": complaint.district.name if complaint.district_id else None,
        "company_id": _id(complaint.company_id),
        "company": complaint.company.name if complaint.company_id else None,
        "estate_id": _id(complaint.estate_id),
        "estate_name": complaint.estate_name,
        "description": complaint.description,
        "created_at": complaint.created_at.isoformat(),
        "updated_at": complaint.updated_at.isoformat(),
        "version": int(complaint.updated_at.timestamp() * 1_000_000),
    }


def _id(value: int | None) -> str | None:
    return None if value is None else str(value)


def complaints_for_indexing():
    return Complaint.objects.select_related("district", "company")
