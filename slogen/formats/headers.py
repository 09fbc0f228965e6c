"""The headers that tell each foreign format's documents apart: read by slogen.spec on every
document, so they live here, without the formats' models (imported only when a document of that
format is met)."""
SLOTH_VERSION = "prometheus/v1"
SLOTH_CRD_API = "sloth.slok.dev/v1"
OPENSLO_V1 = "openslo/v1"
OPENSLO_V1ALPHA = "openslo/v1alpha"


def sloth(data: dict) -> bool:
    return data.get("version") == SLOTH_VERSION


def sloth_crd(data: dict) -> bool:
    return data.get("apiVersion") == SLOTH_CRD_API


def openslo(data: dict) -> bool:
    return data.get("apiVersion") in (OPENSLO_V1, OPENSLO_V1ALPHA)
