"""Writes three MDM commands as Python's plistlib writes them (keys sorted, so
that a command's tag comes after some of its keys), for instruction counts
of `Command<AnyRequest>` decoding with harness/examples/decode_loop.rs:

- command_device_information: a DeviceInformation command asking every
  query the schema lists (`Queries`, sorted before `RequestType`);
- command_settings_200: a Settings command of 200 items, each a union
  element whose `Item` comes after the keys sorted before it (DeviceName,
  Bluetooth's Enabled, ApplicationAttributes' Attributes and Identifier);
- command_install_application: the InstallApplication command of
  harness/benches/decode.rs (`INSTALL`), for validation's instruction
  counts (`decode_loop <file> <runs> validate`).

Each in XML and binary, to target/command-input/ (not target/bench-input/,
whose every file the plistlib comparison reads).

    DEVICE_MANAGEMENT_SCHEMA=../shared/apple-device-management python3 harness/benches/command_inputs.py

Needs PyYAML (the queries are read from the schema's
mdm/commands/information.device.yaml)."""
import os, pathlib, plistlib

import yaml

repo = pathlib.Path(__file__).resolve().parent.parent.parent
schema = pathlib.Path(os.environ.get("DEVICE_MANAGEMENT_SCHEMA", repo.parent / "shared" / "apple-device-management"))
out = repo / "target" / "command-input"
out.mkdir(parents=True, exist_ok=True)

info = yaml.safe_load((schema / "mdm" / "commands" / "information.device.yaml").read_text())
queries = [
    sub["key"]
    for key in info["responsekeys"]
    if key.get("key") == "QueryResponses"
    for sub in key.get("subkeys", [])
]


def item(i):
    if i % 3 == 0:
        return {"Item": "DeviceName", "DeviceName": f"device {i}"}
    if i % 3 == 1:
        return {"Item": "Bluetooth", "Enabled": i % 2 == 0}
    return {
        "Item": "ApplicationAttributes",
        "Identifier": f"com.example.app{i}",
        "Attributes": {"VPNUUID": f"uuid-{i}", "AssociatedDomains": [f"a{i}.example.com", f"b{i}.example.com"]},
    }


commands = {
    "command_device_information": {"RequestType": "DeviceInformation", "Queries": queries},
    "command_settings_200": {"RequestType": "Settings", "Settings": [item(i) for i in range(200)]},
    "command_install_application": {
        "RequestType": "InstallApplication",
        "iTunesStoreID": 361309726,
        "ManagementFlags": 5,
        "Options": {"PurchaseMethod": 1},
        "Attributes": {"Removable": False},
        "ChangeManagementState": "Managed",
    },
}
for n, (name, command) in enumerate(commands.items()):
    message = {"CommandUUID": f"{n:08x}-1cf9-4a00-a153-d8294e576c3f", "Command": command}
    for suffix, fmt in [("xml", plistlib.FMT_XML), ("bplist", plistlib.FMT_BINARY)]:
        (out / f"{name}.{suffix}").write_bytes(plistlib.dumps(message, fmt=fmt, sort_keys=True))
print(f"{len(queries)} queries; written to {out}")
