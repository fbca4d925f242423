"""EKS clusters: make DescribeCluster look like a real cluster.

AWS (EKS API reference, `Cluster`, `VpcConfigResponse`, `KubernetesNetworkConfigResponse`):
  * `certificateAuthority.data` is the base64-encoded PEM certificate of the cluster CA. moto
    returns 1400 random characters, which no Kubernetes client can load.
  * `endpoint` is unique per cluster (`https://<32 hex>.<suffix>.<region>.eks.amazonaws.com`)
    and so is the OIDC issuer; moto draws one random value at import time and gives every
    cluster the same endpoint and issuer.
  * `resourcesVpcConfig` reports `vpcId`, `clusterSecurityGroupId`, `securityGroupIds` and the
    endpoint access flags; moto echoes only the request.
  * `kubernetesNetworkConfig.ipFamily` is `ipv4` unless IPv6 was chosen.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from typing import Any


def _self_signed_ca_pem() -> str:
    """A real, parseable self-signed CA certificate (EC P-256, so it costs ~1 ms per cluster)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


def _vpc_of_subnets(account_id: str, region: str, subnet_ids: list[str]) -> str | None:
    from moto.ec2.models import ec2_backends

    ec2 = ec2_backends[account_id][region]
    for subnet_id in subnet_ids:
        try:
            return ec2.get_subnet(subnet_id).vpc_id
        except Exception:  # noqa: BLE001 - an unknown subnet id simply gives no vpcId, as before
            continue
    return None


def install() -> None:
    from moto.eks.models import Cluster

    original_init = Cluster.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        region = kwargs.get("region_name", "")
        account_id = kwargs.get("account_id", "")
        self.certificate_authority = {"data": base64.b64encode(_self_signed_ca_pem().encode()).decode()}
        unique = uuid.uuid4().hex.upper()
        self.endpoint = f"https://{unique}.gr7.{region}.eks.amazonaws.com"
        self.identity = {"oidc": {"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{unique}"}}

        vpc_config = dict(self.resources_vpc_config or {})
        subnet_ids = list(vpc_config.get("subnetIds") or [])
        vpc_config["subnetIds"] = subnet_ids
        vpc_config.setdefault("securityGroupIds", [])
        vpc_config.setdefault("endpointPublicAccess", True)
        vpc_config.setdefault("endpointPrivateAccess", False)
        vpc_config.setdefault("publicAccessCidrs", ["0.0.0.0/0"])
        vpc_config["clusterSecurityGroupId"] = "sg-" + uuid.uuid4().hex[:17]
        vpc_id = _vpc_of_subnets(account_id, region, subnet_ids)
        if vpc_id:
            vpc_config["vpcId"] = vpc_id
        self.resources_vpc_config = vpc_config

        network = dict(self.kubernetes_network_config or {})
        network.setdefault("serviceIpv4Cidr", "172.20.0.0/16")
        network.setdefault("ipFamily", "ipv4")
        self.kubernetes_network_config = network

    Cluster.__init__ = __init__  # type: ignore[method-assign]
