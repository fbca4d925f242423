"""EC2 Local Zones and Wavelength Zones.

moto knows only regular Availability Zones, ignores `AllAvailabilityZones` and omits the opt-in and
parent-zone fields. Real accounts see, per DescribeAvailabilityZones:
  * regular zones: ZoneType availability-zone, OptInStatus opt-in-not-required;
  * Local Zones: ZoneType local-zone, a ParentZoneName/ParentZoneId, OptInStatus opted-in or
    not-opted-in;
  * Wavelength Zones: ZoneType wavelength-zone, likewise;
and zones that are not opted in are listed only when AllAvailabilityZones is true.

Each region gets one Local Zone (opted in) and one Wavelength Zone (not opted in), unless
SANDBOX_EDGE_ZONES gives a JSON list of zones instead. Zones live in moto's class-level zone table,
so they survive /moto-api/reset; subnets can be created in them like in any zone.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .control import config_sections

EDGE_ZONE_TYPES = ("local-zone", "wavelength-zone")


def _short_name(zones: list[Any], region: str) -> str:
    """The zone-id prefix of a region, e.g. euw1 for eu-west-1, taken from its regular zones."""
    for zone in zones:
        if "-az" in zone.zone_id:
            return zone.zone_id.split("-az")[0]
    parts = region.split("-")
    return f"{parts[0]}{''.join(p[0] for p in parts[1:-1])}{parts[-1]}"


def default_edge_zones(region: str, regular_zones: list[Any]) -> list[dict[str, str]]:
    """A Local Zone and a Wavelength Zone for `region`, named after AWS's naming scheme with the
    made-up location code 'sbx' so nobody mistakes them for real zones."""
    parent = regular_zones[0]
    short = _short_name(regular_zones, region)
    return [
        {
            "ZoneName": f"{region}-sbx-1a",
            "ZoneId": f"{short}-sbx1-az1",
            "ZoneType": "local-zone",
            "GroupName": f"{region}-sbx-1",
            "NetworkBorderGroup": f"{region}-sbx-1",
            "OptInStatus": "opted-in",
            "ParentZoneName": parent.name,
            "ParentZoneId": parent.zone_id,
        },
        {
            "ZoneName": f"{region}-wl1-sbx-wlz-1",
            "ZoneId": f"{short}-wl1-sbx-wlz1",
            "ZoneType": "wavelength-zone",
            "GroupName": f"{region}-wl1",
            "NetworkBorderGroup": f"{region}-wl1-sbx-wlz-1",
            "OptInStatus": "not-opted-in",
            "ParentZoneName": parent.name,
            "ParentZoneId": parent.zone_id,
        },
    ]


def _configured_edge_zones() -> list[dict[str, str]] | None:
    raw = os.environ.get("SANDBOX_EDGE_ZONES")
    if not raw:
        return None
    zones = json.loads(raw)
    required = {"RegionName", "ZoneName", "ZoneId", "ZoneType", "ParentZoneName", "ParentZoneId", "OptInStatus"}
    for zone in zones:
        missing = required - set(zone)
        if missing:
            raise SystemExit(f"sandbox: SANDBOX_EDGE_ZONES entry {zone} lacks {sorted(missing)}")
        if zone["ZoneType"] not in EDGE_ZONE_TYPES:
            raise SystemExit(f"sandbox: SANDBOX_EDGE_ZONES ZoneType must be one of {EDGE_ZONE_TYPES}")
    return zones


def _make_zone(region: str, spec: dict[str, str]) -> Any:
    from moto.ec2.models.availability_zones_and_regions import Zone

    zone = Zone(name=spec["ZoneName"], region_name=region, zone_id=spec["ZoneId"], zone_type=spec["ZoneType"])
    # moto serializes any attribute named like the snake_case of an AvailabilityZone member.
    zone.opt_in_status = spec["OptInStatus"]
    zone.group_name = spec.get("GroupName", spec["ZoneName"][:-1])
    zone.network_border_group = spec.get("NetworkBorderGroup", zone.group_name)
    zone.parent_zone_name = spec["ParentZoneName"]
    zone.parent_zone_id = spec["ParentZoneId"]
    return zone


def _install_zones() -> None:
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    table: dict[str, list[Any]] = RegionsAndZonesBackend.zones
    for region, zones in table.items():
        for zone in zones:
            zone.opt_in_status = "opt-in-not-required"
            zone.group_name = region
            zone.network_border_group = region
    configured = _configured_edge_zones()
    if configured is not None:
        for spec in configured:
            table.setdefault(spec["RegionName"], []).append(_make_zone(spec["RegionName"], spec))
        return
    for region, zones in table.items():
        regular = [z for z in zones if z.zone_type == "availability-zone"]
        if regular:
            zones.extend(_make_zone(region, spec) for spec in default_edge_zones(region, regular))


def sandbox_region() -> str:
    """The region the project uses (lib/config.ts resolveRegion): AWS_REGION, AWS_DEFAULT_REGION,
    else eu-west-1. Edge zones exist in every region; this one is reported by /_sandbox/config."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"


def _edge_zones_summary() -> list[dict[str, str]]:
    """What GET /_sandbox/config reports: the edge zones of the project's region."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    region_name = sandbox_region()
    return [
        {
            "RegionName": region,
            "ZoneName": z.name,
            "ZoneId": z.zone_id,
            "ZoneType": z.zone_type,
            "OptInStatus": z.opt_in_status,
            "ParentZoneName": z.parent_zone_name,
        }
        for region, zones in RegionsAndZonesBackend.zones.items()
        for z in zones
        if z.zone_type in EDGE_ZONE_TYPES and region == region_name
    ]


def _patch_describe() -> None:
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
    from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions
    from moto.utilities.utils import filter_resources

    attr_pairs = (
        ("zone-id", "zone_id"),
        ("zone-type", "zone_type"),
        ("zone-name", "name"),
        ("region-name", "region_name"),
        ("state", "state"),
        ("opt-in-status", "opt_in_status"),
        ("group-name", "group_name"),
        ("group-long-name", "group_name"),
        ("network-border-group", "network_border_group"),
        ("parent-zone-name", "parent_zone_name"),
        ("parent-zone-id", "parent_zone_id"),
    )

    def describe_availability_zones(
        self: Any,
        filters: list[dict[str, Any]] | None = None,
        zone_names: list[str] | None = None,
        zone_ids: list[str] | None = None,
    ) -> list[Any]:
        # Same as moto's, with the extra filters AWS documents; opt-in visibility is decided by the
        # response layer because other moto code calls this to look zones up by name.
        zones = self.zones.get(self.region_name, [])
        result = filter_resources(zones, filters, attr_pairs) if filters else zones
        result = [z for z in result if not zone_ids or z.zone_id in zone_ids]
        return [z for z in result if not zone_names or z.name in zone_names]

    RegionsAndZonesBackend.describe_availability_zones = describe_availability_zones  # type: ignore[method-assign]

    original_response = AvailabilityZonesAndRegions.describe_availability_zones

    def describe_availability_zones_response(self: Any) -> Any:
        result = original_response(self)
        if not _truthy(self._get_param("AllAvailabilityZones")):
            zones = result.result["AvailabilityZones"]
            result.result["AvailabilityZones"] = [
                z for z in zones if getattr(z, "opt_in_status", "") != "not-opted-in"
            ]
        return result

    AvailabilityZonesAndRegions.describe_availability_zones = describe_availability_zones_response  # type: ignore[method-assign]


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _patch_default_vpc_and_subnets() -> None:
    from moto.ec2.exceptions import DefaultVpcAlreadyExists
    from moto.ec2.models.subnets import SubnetBackend
    from moto.ec2.models.vpcs import VPCBackend

    def create_default_vpc(self: Any) -> Any:
        # AWS creates default subnets only in the regular zones, never in Local/Wavelength Zones.
        if self.describe_vpcs(filters={"is-default": ["true"]}):
            raise DefaultVpcAlreadyExists
        vpc = self.create_vpc(cidr_block="172.31.0.0/16", is_default=True)
        for zone in self.describe_availability_zones():
            if zone.zone_type == "availability-zone":
                self.create_default_subnet(zone.name)
        return vpc

    VPCBackend.create_default_vpc = create_default_vpc  # type: ignore[method-assign]

    original_create_subnet = SubnetBackend.create_subnet

    def create_subnet(self: Any, *args: Any, **kwargs: Any) -> Any:
        subnet = original_create_subnet(self, *args, **kwargs)
        # moto marks the first subnet of any VPC in a zone as that zone's default subnet; AWS gives
        # DefaultForAz (and public IPs on launch) only to the default VPC's subnets. Edge zones have
        # no default subnet, so without this every edge-zone subnet would claim to be the default.
        vpc = self.get_vpc(subnet.vpc_id)
        if not vpc.is_default and subnet.default_for_az:
            subnet.default_for_az = False
            subnet.map_public_ip_on_launch = False
        return subnet

    SubnetBackend.create_subnet = create_subnet  # type: ignore[method-assign]


def install() -> None:
    _install_zones()
    _patch_describe()
    _patch_default_vpc_and_subnets()
    config_sections["edgeZones"] = _edge_zones_summary
