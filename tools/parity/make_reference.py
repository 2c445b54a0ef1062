#!/usr/bin/python3
"""Writes torchvision reference models for `repro parity`.

For each model: seeded random weights (biases and BatchNorm statistics perturbed so that every tensor
matters; ViT's zero-initialised head is randomised), a seeded input batch, torchvision's logits for it and
the gradients of every parameter for a cross-entropy loss on seeded labels, saved with torch.save. manifest.json lists them with the ModelConfig that builds the same model.

Needs Debian's python3-torch and python3-torchvision (torch 1.13 / torchvision 0.14):
    apt-get install -y python3-torch python3-torchvision
    /usr/bin/python3 tools/parity/make_reference.py --out /tmp/parity
    dotnet run --project harness/Repro.Cli -- parity --dir /tmp/parity

Export check: `repro parity --dir /tmp/parity --export /tmp/parity/export` prunes each model to 50 % and writes
it back as PyTorch state dicts; `make_reference.py --check-export /tmp/parity` loads those into torchvision
(plain, and with torch's pruning reparametrisation) and compares torchvision's logits with the suite's.

--fixture PATH instead writes the small pruned training checkpoint the unit tests read
(tests/Repro.Tests/Fixtures/vit_tiny_pruned_checkpoint.pt).
"""
import argparse
import json
import os

import torch
import torch.nn.utils.prune as prune
import torchvision
from torchvision.models.swin_transformer import PatchMergingV2, SwinTransformer, SwinTransformerBlockV2
from torchvision.models.vision_transformer import VisionTransformer


def perturb(model, generator):
    """Random non-trivial values for what torchvision initialises to constants."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or name.endswith("head.weight"):
                p.add_(torch.randn(p.shape, generator=generator) * 0.02)
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=generator) + 0.5)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=generator) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=generator) + 0.5)
            if isinstance(m, torch.nn.LayerNorm):
                m.weight.add_(torch.randn(m.weight.shape, generator=generator) * 0.1)


def tiny_vit(num_classes):
    return VisionTransformer(image_size=16, patch_size=8, num_layers=1, num_heads=2, hidden_dim=8, mlp_dim=32,
                             num_classes=num_classes)


def tiny_swin(num_classes):
    # swin_v2_t's blocks at a quarter of its width and two stages: at 56 px the 14x14 map is padded to the
    # 8-pixel window and the second block of each stage is shifted, so padding and the shift mask both count.
    return SwinTransformer(patch_size=[4, 4], embed_dim=24, depths=[2, 2], num_heads=[3, 6], window_size=[8, 8],
                           stochastic_depth_prob=0.2, num_classes=num_classes, block=SwinTransformerBlockV2,
                           downsample_layer=PatchMergingV2)


# name -> (constructor, ModelConfig fields, image size, num classes)
MODELS = {
    "resnet18": (lambda nc: torchvision.models.resnet18(num_classes=nc), {"architecture": "resnet18"}, 224, 1000),
    "resnet50": (lambda nc: torchvision.models.resnet50(num_classes=nc), {"architecture": "resnet50"}, 224, 1000),
    "resnet50_dilated": (
        lambda nc: torchvision.models.resnet50(num_classes=nc, replace_stride_with_dilation=[False, False, True]),
        {"architecture": "resnet50", "dilation": [False, False, True]}, 224, 1000),
    "vit_b_32": (lambda nc: torchvision.models.vit_b_32(num_classes=nc), {"architecture": "vit_b_32"}, 224, 1000),
    "vit_b_16": (lambda nc: torchvision.models.vit_b_16(num_classes=nc), {"architecture": "vit_b_16"}, 224, 1000),
    "swin_v2_t": (lambda nc: torchvision.models.swin_v2_t(num_classes=nc), {"architecture": "swin_v2_t"}, 224, 1000),
    "swin_v2_t_small": (tiny_swin, {"architecture": "swin_v2_t", "width": 0.25, "depths": [2, 2]}, 56, 10),
}


def write_reference(out, names, seed, batch):
    os.makedirs(out, exist_ok=True)
    manifest = []
    for name in names:
        build, config, size, num_classes = MODELS[name]
        torch.manual_seed(seed)
        model = build(num_classes)
        perturb(model, torch.Generator().manual_seed(seed + 1))
        model.eval()
        x = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(seed + 2))
        with torch.no_grad():
            logits = model(x)
        # Gradients of the cross-entropy of the eval-mode forward: checks every backward kernel used in training.
        labels = torch.randint(0, num_classes, (batch,), generator=torch.Generator().manual_seed(seed + 3))
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(x), labels).backward()
        grads = {f"grad.{n}": p.grad for n, p in model.named_parameters()}
        torch.save(model.state_dict(), os.path.join(out, f"{name}.pt"))
        torch.save({"input": x, "logits": logits, "labels": labels, **grads}, os.path.join(out, f"{name}.io.pt"))
        params = sum(p.numel() for p in model.parameters())
        manifest.append({"name": name, "model": config, "image_size": size, "num_classes": num_classes,
                         "weights": f"{name}.pt", "io": f"{name}.io.pt", "parameters": params})
        print(f"{name}: {params:,} parameters, logits {tuple(logits.shape)}")
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__, "models": manifest}, f, indent=1)


def write_fixture(path, seed):
    """A training checkpoint as the authors' train.py writes it after pruning, from a DataParallel model."""
    torch.manual_seed(seed)
    model = tiny_vit(3)
    perturb(model, torch.Generator().manual_seed(seed + 1))
    wrapped = torch.nn.DataParallel(model)
    targets = [(m, "weight") for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    prune.global_unstructured(targets, pruning_method=prune.L1Unstructured, amount=0.5)
    model.eval()
    x = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(seed + 2))
    with torch.no_grad():
        logits = model(x)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch.save({
        "model": wrapped.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": 89,
        "args": argparse.Namespace(model="vit_tiny", pruning_method="magnitude", pruning_rate=0.5),
        "sparsity": 50.0,
        "reference_input": x,
        "reference_logits": logits,
    }, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def check_export(folder, tolerance=1e-4):
    """Loads the suite's exported state dicts into torchvision models; returns False if any deviates."""
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    export = os.path.join(folder, "export")
    ok = True
    for entry in manifest["models"]:
        name = entry["name"]
        build = MODELS[name][0]
        io = torch.load(os.path.join(export, f"{name}.io.pt"))
        for form in ("plain", "reparametrised"):
            model = build(entry["num_classes"])
            pruned = [m for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
            if form == "reparametrised":
                for m in pruned:
                    prune.identity(m, "weight")
                model.load_state_dict(torch.load(os.path.join(export, f"{name}.pt")))
                for m in pruned:
                    prune.remove(m, "weight")  # as the authors' loader does; also refreshes weights MHA reads directly
            else:
                model.load_state_dict(torch.load(os.path.join(export, f"{name}.plain.pt")))
            model.eval()
            with torch.no_grad():
                logits = model(io["input"])
            deviation = (logits - io["logits"]).abs().max().item()
            relative = deviation / io["logits"].abs().max().item()
            zeros = sum((m.weight == 0).sum().item() for m in pruned) / sum(m.weight.numel() for m in pruned)
            passed = relative <= tolerance
            ok &= passed
            print(f"{name:18} {form:15} sparsity {100 * zeros:5.1f}%  max |d| {deviation:.2e}  relative {relative:.2e}  "
                  f"{'ok' if passed else 'FAILED'}")
    return ok


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", help="folder for the reference models")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of: " + ", ".join(MODELS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--fixture", help="write the unit tests' pruned checkpoint fixture here instead")
    parser.add_argument("--check-export", metavar="DIR", help="load DIR/export/* (written by repro parity --export) into torchvision")
    args = parser.parse_args()
    if args.check_export:
        raise SystemExit(0 if check_export(args.check_export) else 1)
    elif args.fixture:
        write_fixture(args.fixture, args.seed)
    elif args.out:
        write_reference(args.out, [n.strip() for n in args.models.split(",") if n.strip()], args.seed, args.batch)
    else:
        parser.error("give --out, --check-export or --fixture")
