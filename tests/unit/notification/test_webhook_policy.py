"""Which webhook URLs are refused, and why: schemes, credentials, numeric tricks, internal names
and addresses (also behind IPv6 forms and behind a name's resolution), and the allow-list."""

from ipaddress import ip_address

import pytest

from services.notification.core.config import Settings
from services.notification.domain.webhook_policy import (
    IPAddress,
    RefusedURL,
    Resolver,
    Target,
    WebhookPolicy,
    refusal,
)

pytestmark = pytest.mark.security

PLAIN = WebhookPolicy(require_https=False)
STRICT = WebhookPolicy()


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/iam/", "169.254.169.254 is a cloud metadata address"),
        ("http://localhost:22", "localhost only means something on the local network"),
        ("http://LOCALHOST./", "localhost only means something on the local network"),
        ("http://localhost。/", "localhost only means something on the local network"),
        ("http://api.localhost/", "only means something on the local network"),
        ("http://printer.local/", "only means something on the local network"),
        ("http://metadata/", "use a full domain name"),
        ("http://[::1]:22/", "::1 is a loopback address"),
        ("http://0.0.0.0:22/", "0.0.0.0 is the unspecified address"),
        ("http://[::]/", ":: is the unspecified address"),
        ("http://2130706433/", "a number in a form other than four decimals"),
        ("http://0x7f000001/", "a number in a form other than four decimals"),
        ("http://0177.0.0.1/", "a number in a form other than four decimals"),
        ("http://127.1/", "a number in a form other than four decimals"),
        ("http://10.0.0.1/", "10.0.0.1 is a private address"),
        ("http://172.16.5.4/", "a private address"),
        ("http://192.168.0.1/", "192.168.0.1 is a private address"),
        ("http://100.64.0.1/", "a private address"),
        ("http://100.100.100.200/", "a cloud metadata address"),
        ("http://[fd12:3456::1]/", "a private address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("http://169.254.1.1/", "a link-local address"),
        ("http://[fe80::1%25eth0]/", "fe80::1 is a link-local address"),
        ("http://224.0.0.251/", "a multicast address"),
        ("http://[ff02::1]/", "a multicast address"),
        ("http://240.0.0.1/", "webhooks go to public addresses only"),
        ("http://192.0.2.10/", "webhooks go to public addresses only"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1 is a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "a cloud metadata address"),
        ("http://[64:ff9b::a00:1]/", "a private address"),
        ("http://[2002:c0a8:1::]/", "a private address"),
        (
            "http://metadata.google.internal/computeMetadata/v1/",
            "metadata.google.internal is a cloud metadata host",
        ),
        ("http://metadata.tencentyun.com/latest/meta-data/", "a cloud metadata host"),
        ("http://db.corp.internal/", "only means something on the local network"),
        ("https://user:pw@127.0.0.1:8104/", "must not carry a user name or password"),
        ("https://user@hooks.example.cn/", "must not carry a user name or password"),
        ("http://hooks.example.cn\\@127.0.0.1/", "backslashes"),
        ("ftp://hooks.example.cn/", "starts with https:// or http://"),
        ("file:///etc/passwd", "starts with https:// or http://"),
        ("gopher://127.0.0.1:6379/_INFO", "starts with https:// or http://"),
        ("javascript:alert(1)", "starts with https:// or http://"),
        ("//hooks.example.cn/", "starts with https:// or http://"),
        ("http:///hook", "the URL has no host"),
        ("http://hooks.example.cn:0/", "port 0"),
        ("http://hooks.example.cn:99999/", "cannot be read"),
        ("http://[::1/", "cannot be read"),
        ("http://hooks.example.cn/\x00", "control characters"),
        ("http://hooks.example.cn/a b", "spaces"),
        (" http://hooks.example.cn/", "spaces"),
        ("http://hooks.example.cn/\r\nX-Injected: 1", "control characters"),
        ("http://hooks!.example.cn/", "not a valid host name"),
        ("http://hooks..example.cn/", "not a valid host name"),
    ],
)
def test_an_internal_or_malformed_url_is_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(RefusedURL) as refused:
        PLAIN.target(url)
    assert reason in refused.value.message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://hooks.example.cn/t", ("hooks.example.cn", 443, "/t", None)),
        ("HTTPS://Hooks.Example.CN:8443/钩子?来源=会#x", (
            "hooks.example.cn", 8443, "/%E9%92%A9%E5%AD%90?%E6%9D%A5%E6%BA%90=%E4%BC%9A", None
        )),
        ("https://钩子.例子.中国/", ("xn--i8s974k.xn--fsqu00a.xn--fiqs8s", 443, "/", None)),
        ("https://hooks.example.cn./", ("hooks.example.cn", 443, "/", None)),
        ("https://hook_1.example.cn/%E7%8E%8B", ("hook_1.example.cn", 443, "/%E7%8E%8B", None)),
        ("https://8.8.8.8/", ("8.8.8.8", 443, "/", ip_address("8.8.8.8"))),
        ("https://[2400:3200::1]:8443/h", ("2400:3200::1", 8443, "/h", ip_address("2400:3200::1"))),
        ("https://1.1.1.1.example.cn/", ("1.1.1.1.example.cn", 443, "/", None)),
    ],
)  # fmt: skip
def test_a_public_https_url_is_taken_apart_as_it_will_be_requested(
    url: str, expected: tuple[str, int, str, IPAddress | None]
) -> None:
    assert STRICT.target(url) == Target("https", *expected)


def test_the_host_header_names_the_port_only_when_it_is_not_the_default() -> None:
    assert STRICT.target("https://hooks.example.cn/").host_header == "hooks.example.cn"
    assert PLAIN.target("http://hooks.example.cn:8080/").host_header == "hooks.example.cn:8080"
    assert STRICT.target("https://[2400:3200::1]:8443/").host_header == "[2400:3200::1]:8443"


def test_plain_http_is_refused_unless_the_operator_allows_it() -> None:
    with pytest.raises(RefusedURL, match="https only"):
        STRICT.target("http://hooks.example.cn/")
    assert PLAIN.target("http://hooks.example.cn/").scheme == "http"


def test_the_allow_list_lets_named_hosts_addresses_and_networks_through() -> None:
    policy = WebhookPolicy.allowing(
        ["127.0.0.1", "10.8.0.0/16", "[fd12::1]", "Hooks.Corp.Internal.", "localhost"], require_https=False
    )
    assert policy.target("http://127.0.0.1:9000/hook").address == ip_address("127.0.0.1")
    assert policy.target("http://10.8.3.4/").host == "10.8.3.4"
    assert policy.target("http://[fd12::1]/").host == "fd12::1"
    assert policy.target("http://hooks.corp.internal/").host == "hooks.corp.internal"
    assert policy.target("http://localhost:9000/").host == "localhost"
    for still_refused in ("http://127.0.0.2/", "http://10.9.0.1/", "http://other.corp.internal/"):
        with pytest.raises(RefusedURL, match="WEBHOOK_ALLOWED_HOSTS"):
            policy.target(still_refused)
    with pytest.raises(RefusedURL, match="user name or password"):
        policy.target("http://user:pw@127.0.0.1/")


def test_a_bad_allow_list_entry_fails_when_the_settings_are_read() -> None:
    with pytest.raises(ValueError, match="neither a host name nor an address"):
        WebhookPolicy.allowing(["hooks example"], require_https=True)
    settings = Settings(auth_secret="x" * 32, webhook_allowed_hosts=" 127.0.0.1, ,hooks.corp.internal ")
    assert settings.webhook_allowed_hosts == ("127.0.0.1", "hooks.corp.internal")
    assert settings.webhook_require_https, "https only unless told otherwise"
    with pytest.raises(ValueError, match="neither a host name"):
        Settings(auth_secret="x" * 32, webhook_allowed_hosts="http://127.0.0.1/")


def _dns(*addresses: str) -> Resolver:
    async def resolve(host: str, port: int) -> list[IPAddress]:
        assert (host, port) == ("hooks.example.cn", 443)
        return [ip_address(a) for a in addresses]

    return resolve


async def test_a_name_is_sent_to_only_when_every_address_it_resolves_to_is_public() -> None:
    url = "https://hooks.example.cn/t"
    target, address = await STRICT.destination(url, _dns("1.2.4.8", "8.8.4.4"))
    assert (target.host, target.path, address) == ("hooks.example.cn", "/t", ip_address("1.2.4.8"))
    literal, at = await STRICT.destination("https://8.8.8.8/", _dns())
    assert at == literal.address == ip_address("8.8.8.8"), "an address in the URL is not resolved"


@pytest.mark.parametrize(
    ("addresses", "reason"),
    [
        (["127.0.0.1"], "the URL's host resolves to 127.0.0.1, which is a loopback address"),
        (["8.8.8.8", "10.1.2.3"], "resolves to 10.1.2.3, which is a private address"),
        (["::ffff:192.168.1.1"], "a private address"),
        (["169.254.169.254"], "a cloud metadata address"),
        ([], "resolves to no address"),
    ],
)
async def test_a_name_resolving_to_an_internal_address_is_refused(addresses: list[str], reason: str) -> None:
    with pytest.raises(RefusedURL) as refused:
        await STRICT.destination("https://hooks.example.cn/t", _dns(*addresses))
    assert reason in refused.value.message


async def test_an_allowed_name_may_resolve_to_an_internal_address_and_an_allowed_network_is_trusted() -> None:
    by_name = WebhookPolicy.allowing(["hooks.example.cn"], require_https=True)
    assert (await by_name.destination("https://hooks.example.cn/", _dns("10.0.0.5")))[1] == ip_address(
        "10.0.0.5"
    )
    by_network = WebhookPolicy.allowing(["10.0.0.0/24"], require_https=True)
    assert (await by_network.destination("https://hooks.example.cn/", _dns("10.0.0.5")))[1] == ip_address(
        "10.0.0.5"
    )
    with pytest.raises(RefusedURL, match=r"10\.0\.1\.5, which is a private address"):
        await by_network.destination("https://hooks.example.cn/", _dns("10.0.1.5"))


def test_public_addresses_pass_and_every_internal_kind_is_named() -> None:
    assert refusal(ip_address("8.8.8.8")) is None
    assert refusal(ip_address("2400:3200::1")) is None
    assert refusal(ip_address("::ffff:8.8.8.8")) is None
    assert refusal(ip_address("::ffff:10.0.0.1")) == "a private address"
