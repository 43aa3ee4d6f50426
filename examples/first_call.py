#!/usr/bin/env python3
"""A first call to luovutusloki with a real client: record a disclosure, list it, look up
one data subject. Needs `pip install grpcio grpcio-tools`; the Python stubs are generated
from ../proto into a temporary directory, so nothing generated is kept.

    python3 examples/first_call.py [127.0.0.1:50051]
"""

import hashlib
import pathlib
import sys
import tempfile
import time

import grpc
from grpc_tools import protoc

PROTO_ROOT = pathlib.Path(__file__).resolve().parent.parent / "proto"


def load_stubs():
    out = tempfile.mkdtemp(prefix="luovutusloki-stubs-")
    include = str(pathlib.Path(protoc.__file__).parent / "_proto")
    status = protoc.main([
        "protoc", f"-I{PROTO_ROOT}", f"-I{include}",
        f"--python_out={out}", f"--grpc_python_out={out}",
        str(PROTO_ROOT / "luovutusloki/v1/disclosure_log.proto"),
    ])
    if status != 0:
        sys.exit("protoc failed")
    sys.path.insert(0, out)
    from luovutusloki.v1 import disclosure_log_pb2 as pb, disclosure_log_pb2_grpc as rpc
    return pb, rpc


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 section 2.1.3.2. Check the checkpoint's signature too (luovutusloki
    verify-proof, or any C2SP signed-note verifier) before trusting its root."""
    node = lambda left, right: hashlib.sha256(b"\1" + left + right).digest()
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def main():
    address = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051"
    pb, rpc = load_stubs()
    client = rpc.DisclosureLogStub(grpc.insecure_channel(address))

    # The KOKO unemployment fund reports benefit payments to the Incomes Register (seed 000).
    # Both business IDs are EXAMPLES (the privacy notice gives none), as in
    # examples/registers/koko-jasen-ja-maksurekisteri.toml; the identity codes are temporary
    # (9xx) ones.
    request = pb.RecordDisclosureRequest(
        controller_id="1234567-1",
        transfer_id=f"first-call-{int(time.time())}",
        register_id="koko-jasen-ja-maksurekisteri",
        recipient=pb.Recipient(
            id_type=pb.RECIPIENT_ID_TYPE_BUSINESS_ID, identifier="9990008-3",
            name="Verohallinto, tulorekisteriyksikkö", kind=pb.RECIPIENT_KIND_AUTHORITY,
            country="FI"),
        legal_basis=pb.LEGAL_BASIS_LEGAL_OBLIGATION,
        provisions=[pb.LegalProvision(kind=pb.PROVISION_KIND_FINNISH_STATUTE,
                                      number="1290/2002", chapter=13, section="1", subsection=2)],
        data_categories=[pb.DATA_CATEGORY_IDENTITY, pb.DATA_CATEGORY_BENEFIT_PAYMENT],
        purpose="Etuusmaksujen ilmoittaminen tulorekisteriin",
        channel=pb.CHANNEL_INCOMES_REGISTER,
        source_system="maksatus",
        subjects=["010150-9201", "020150-9300"],
    )
    request.occurred_at.GetCurrentTime()

    receipt = client.RecordDisclosure(request)
    print(f"recorded disclosure {receipt.disclosure_id}: entries "
          f"{receipt.first_entry_id}..{receipt.first_entry_id + receipt.subject_count - 1}")

    listed = client.ListDisclosures(pb.ListDisclosuresRequest(
        controller_id="1234567-1", transfer_id=request.transfer_id))
    for d in listed.disclosures:
        provisions = "; ".join(p.readable for p in d.provisions)
        classification = pb.Classification.Name(d.classification)
        print(f"listed {d.id}: {d.recipient.name} under {provisions}, {d.subject_count} subjects, "
              f"{classification}")

    # A lookup by identity code says who looks up and in which case; it is recorded first.
    context = pb.LookupContext(requested_by="kasittelija-17", case_reference="TAR-2026-0042")
    mine = client.ListSubjectDisclosures(pb.ListSubjectDisclosuresRequest(
        controller_id="1234567-1", subject="020150-9300", context=context))
    print(f"subject 2 appears in {len(mine.disclosures)} disclosure(s)")
    audit = client.ListAccessLookups(pb.ListAccessLookupsRequest(
        controller_id="1234567-1", requested_by="kasittelija-17"))
    print(f"lookups by kasittelija-17 on record: {len(audit.lookups)}")

    # Tamper evidence: the entry's leaf, a signed checkpoint that covers it (published within
    # a second), and the proof that the entry is in that checkpoint's tree.
    entry = receipt.first_entry_id + 1
    leaf = client.GetEntryLeaf(pb.GetEntryLeafRequest(controller_id="1234567-1", entry_id=entry))
    assert hashlib.sha256(b"\0" + leaf.leaf_data).digest() == leaf.leaf_hash
    checkpoint = None
    for _ in range(30):
        try:
            checkpoint = client.GetCheckpoint(pb.GetCheckpointRequest())
            if checkpoint.tree_size > entry:
                break
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.NOT_FOUND:  # none published yet
                raise
        time.sleep(0.1)
    proof = client.GetInclusionProof(pb.GetInclusionProofRequest(
        controller_id="1234567-1", entry_id=entry, tree_size=checkpoint.tree_size))
    proven = verify_inclusion(entry, checkpoint.tree_size, leaf.leaf_hash, proof.hashes,
                              checkpoint.root_hash)
    print(f"entry {entry} is in the signed tree of {checkpoint.tree_size} entries: {proven}")
    print(checkpoint.note.splitlines()[-1][:40] + "...")

    try:
        bad = pb.RecordDisclosureRequest()
        bad.CopyFrom(request)
        bad.subjects[1] = "020150-930X"
        client.RecordDisclosure(bad)
    except grpc.RpcError as error:
        print(f"a bad check character is refused: {error.code().name}: {error.details()}")


if __name__ == "__main__":
    main()
