#!/usr/bin/python3
"""Writes a small pruning trajectory as the authors' train.py saves it, for the suite's import tests.

Per model a folder <out>/<model name>/ holding model_epoch_<E>_pruning_iteration_<i>.pth for i = 0..2: the dense
model, then two rounds of global magnitude pruning (torch.nn.utils.prune, 20 % of the remaining Conv2d and Linear
weights each), every iteration a few SGD steps on random data. Each file is a whole training checkpoint:
{"model": DataParallel state dict ("module." prefix; weight_orig/weight_mask once pruned), "optimizer" (with momentum
buffers), "lr_scheduler", "epoch", "args" (an argparse.Namespace), "sparsity"}, the ViT's also "model_ema" and "scaler".

The models match profiles the tests build: resnet18 at width 0.03125 (torchvision's names and shapes with every
channel count scaled as Models/ResNet.cs scales it) and vit_b_32 at width 1/64 (hidden 12, 12 heads, MLP 48), one
encoder layer, patch 16, for 112-px inputs; 10 classes.

Needs Debian's python3-torch (torch 1.13). Deterministic (one thread, fixed seeds), so a rerun writes the same tensors:
    /usr/bin/python3 tools/trajectory/make_fixture.py --out tests/Repro.Tests/Fixtures/trajectory
"""
import argparse
import os

import torch
import torch.nn.utils.prune as prune
from torchvision.models.resnet import BasicBlock
from torchvision.models.vision_transformer import VisionTransformer

NUM_CLASSES = 10
IMAGE_SIZE = 112
ITERATIONS = 2
RATE = 0.2
LAST_EPOCH = 1
RESNET_WIDTH = 0.03125
VIT_HIDDEN = 12


class SmallResNet18(torch.nn.Module):
    """torchvision's resnet18 with every channel count times width (names and shapes as the suite's ResNet builds)."""

    def __init__(self, width, num_classes):
        super().__init__()
        c = lambda n: max(1, round(n * width))
        self.inplanes = c(64)
        self.conv1 = torch.nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(self.inplanes)
        self.relu = torch.nn.ReLU(inplace=True)
        self.maxpool = torch.nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._layer(c(64), 1)
        self.layer2 = self._layer(c(128), 2)
        self.layer3 = self._layer(c(256), 2)
        self.layer4 = self._layer(c(512), 2)
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(c(512), num_classes)

    def _layer(self, planes, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = torch.nn.Sequential(torch.nn.Conv2d(self.inplanes, planes, 1, stride=stride, bias=False),
                                             torch.nn.BatchNorm2d(planes))
        blocks = [BasicBlock(self.inplanes, planes, stride, downsample), BasicBlock(planes, planes)]
        self.inplanes = planes
        return torch.nn.Sequential(*blocks)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def tiny_vit():
    return VisionTransformer(image_size=IMAGE_SIZE, patch_size=16, num_layers=1, num_heads=12, hidden_dim=VIT_HIDDEN,
                             mlp_dim=4 * VIT_HIDDEN, num_classes=NUM_CLASSES)


def recompute_out_proj(attention, _inputs):
    """MultiheadAttention reads out_proj.weight without calling out_proj, so torch's pruning hook would not recompute
    weight = weight_orig * weight_mask for the next step; run out_proj's hooks before each attention call."""
    for hook in attention.out_proj._forward_pre_hooks.values():
        hook(attention.out_proj, None)


def prunable(model):
    return [(m, "weight") for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]


def sparsity_pct(model):
    weights = [m.weight for m, _ in prunable(model)]
    return 100.0 * float(sum((w == 0).sum() for w in weights)) / float(sum(w.numel() for w in weights))


def train_steps(wrapped, optimizer, generator, steps=3, batch=4):
    wrapped.train()
    for _ in range(steps):
        x = torch.randn(batch, 3, IMAGE_SIZE, IMAGE_SIZE, generator=generator)
        y = torch.randint(0, NUM_CLASSES, (batch,), generator=generator)
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(wrapped(x), y).backward()
        optimizer.step()


def write_trajectory(out, name, build, seed, ema):
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed + 1)
    model = build()
    for m in model.modules():
        if isinstance(m, torch.nn.MultiheadAttention):
            m.register_forward_pre_hook(recompute_out_proj)
    wrapped = torch.nn.DataParallel(model)
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    for iteration in range(ITERATIONS + 1):
        if iteration > 0:
            prune.global_unstructured(prunable(model), pruning_method=prune.L1Unstructured, amount=RATE)
        # A fresh optimizer and schedule per iteration: learning-rate rewinding, as train.py retrains.
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
        train_steps(wrapped, optimizer, generator)
        scheduler.step()
        wrapped.eval()
        args = argparse.Namespace(model=name, epochs=LAST_EPOCH + 1, lr=0.01, momentum=0.9, weight_decay=1e-4,
                                  lr_scheduler="steplr", lr_step_size=30, lr_gamma=0.1, batch_size=4,
                                  pruning_rate=RATE, pruning_iterations=ITERATIONS, device="cpu", weights=None,
                                  output_dir=f"models/{name}", data_path="random", resume="", test_only=False)
        checkpoint = {
            "model": wrapped.state_dict(),
            "optimizer": optimizer.state_dict(),
            "lr_scheduler": scheduler.state_dict(),
            "epoch": LAST_EPOCH,
            "args": args,
            "sparsity": sparsity_pct(model),
        }
        if ema:
            with torch.no_grad():
                averaged = {f"module.{k}": v.clone() for k, v in model.state_dict().items()}
            checkpoint["model_ema"] = {"n_averaged": torch.tensor(3), **averaged}
            checkpoint["scaler"] = {"scale": 65536.0, "growth_factor": 2.0, "backoff_factor": 0.5,
                                    "growth_interval": 2000, "_growth_tracker": 0}
        path = os.path.join(folder, f"model_epoch_{LAST_EPOCH}_pruning_iteration_{iteration}.pth")
        torch.save(checkpoint, path)
        print(f"{path}: {checkpoint['sparsity']:.2f} % sparse, {os.path.getsize(path):,} bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="folder to write <model name>/ into")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    write_trajectory(args.out, "resnet18", lambda: SmallResNet18(RESNET_WIDTH, NUM_CLASSES), args.seed, ema=False)
    write_trajectory(args.out, "vit_b_32", tiny_vit, args.seed + 10, ema=True)


if __name__ == "__main__":
    main()
