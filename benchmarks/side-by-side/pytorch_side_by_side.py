"""PyTorch half of the side-by-side comparison: the workloads of the suite's `repro speed`, op for op.

A training step is forward, cross-entropy, backward, gradient masks, SGD (momentum 0.9, weight decay 1e-4),
weight masks, on a model with 20 % of its conv and linear weights pruned; inference is forward + argmax;
a pruning iteration prunes 20 % of the remaining weights (global magnitude), retrains one epoch over a
fixed random set held on the device and evaluates on a quarter as many images.

The pipeline workload (--workloads pipeline) times torchvision's ImageNet data path on the JPEGs that the
suite's `repro speed --workloads pipeline` wrote: PIL decode + RandomResizedCrop(224) + RandomHorizontalFlip +
ToTensor + Normalize for training, Resize(256) + CenterCrop(224) for evaluation, batches of 32. With
--decode-threads 1 it runs in this process on one torch thread (per-core speed); with k > 1 through a
DataLoader with k worker processes, as training scripts scale it.
"""
import argparse
import json
import os
import tempfile
import time

import torch
import torchvision

SETTINGS = {  # name: (tf32 or None for library defaults, channels_last)
    "defaults": (None, False),
    "tf32": (True, False),
    "tf32+channels_last": (True, True),
}


def build_model(arch, width, classes):
    """torchvision's model; for ResNets at width != 1 every channel count scaled as the suite's ResNet does (round)."""
    if width == 1:
        return getattr(torchvision.models, arch)(num_classes=classes)
    from torchvision.models.resnet import ResNet, BasicBlock, Bottleneck
    block, layers = {"resnet18": (BasicBlock, [2, 2, 2, 2]), "resnet50": (Bottleneck, [3, 4, 6, 3])}[arch]
    planes = [max(1, round(p * width)) for p in (64, 128, 256, 512)]
    model = ResNet(block, layers, num_classes=classes)
    model.inplanes = planes[0]
    model.conv1 = torch.nn.Conv2d(3, planes[0], kernel_size=7, stride=2, padding=3, bias=False)
    model.bn1 = torch.nn.BatchNorm2d(planes[0])
    for i, (p, n) in enumerate(zip(planes, layers)):
        setattr(model, f"layer{i + 1}", model._make_layer(block, p, n, stride=1 if i == 0 else 2))
    model.fc = torch.nn.Linear(planes[3] * block.expansion, classes)
    return model


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def prunable(model):
    return [m.weight for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]


def prune(weights, masks, rate):
    """Removes round(rate x remaining) of the unpruned weights with the smallest |w|, across all tensors."""
    with torch.no_grad():
        count = round(rate * sum(int(m.sum()) for m in masks))
        scores = torch.cat([w.abs().flatten().masked_fill(~m.flatten(), float("inf")) for w, m in zip(weights, masks)])
        idx = torch.topk(scores, count, largest=False, sorted=False).indices
        flat = torch.cat([m.flatten() for m in masks])
        flat[idx] = False
        offset = 0
        for i, m in enumerate(masks):
            masks[i] = flat[offset:offset + m.numel()].view_as(m).clone()
            offset += m.numel()
        for w, m in zip(weights, masks):
            w.mul_(m)
    return masks


def masked_step(model, opt, weights, masks, x, y, stage=None):
    """One training step as the suite's Trainer runs it: gradient masks before the update, weight masks after."""
    loss = torch.nn.functional.cross_entropy(model(x), y)
    stage and stage("forward")
    opt.zero_grad()
    loss.backward()
    stage and stage("backward")
    for w, m in zip(weights, masks):
        w.grad.mul_(m)
    opt.step()
    with torch.no_grad():
        for w, m in zip(weights, masks):
            w.mul_(m)
    stage and stage("optimizer_and_masks")


class Probe:
    def __init__(self, device, arch, batch, size, steps, warmup=10, classes=1000, foreach=None, width=1.0):
        self.device, self.arch, self.batch, self.size, self.width = device, arch, batch, size, width
        self.steps, self.warmup, self.classes, self.foreach = steps, warmup, classes, foreach

    def build(self, setting):
        tf32, channels_last = SETTINGS[setting]
        if self.device.type == "cuda" and tf32 is not None:
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
        torch.manual_seed(0)
        model = build_model(self.arch, self.width, self.classes).to(self.device)
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
        weights = prunable(model)
        masks = prune(weights, [torch.ones_like(w, dtype=torch.bool) for w in weights], 0.2)
        return model, weights, masks, channels_last

    def data(self, n, seed, channels_last):
        torch.manual_seed(seed)
        x = torch.randn(n, 3, self.size, self.size, device=self.device)
        y = torch.randint(0, self.classes, (n,), device=self.device)
        return (x.contiguous(memory_format=torch.channels_last) if channels_last else x), y

    def optimizer(self, model):
        kwargs = {} if self.foreach is None else {"foreach": self.foreach}
        return torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4, **kwargs)

    def train_step(self, setting):
        model, weights, masks, cl = self.build(setting)
        opt = self.optimizer(model)
        x, y = self.data(self.batch, 1, cl)
        model.train()

        def step(stage=None):
            masked_step(model, opt, weights, masks, x, y, stage)

        for _ in range(self.warmup):
            step()
        sync(self.device)
        t = time.perf_counter()
        for _ in range(self.steps):
            step()
        sync(self.device)
        seconds = time.perf_counter() - t

        stages, clock = {}, [0.0]

        def stage(name):
            sync(self.device)
            now = time.perf_counter()
            stages[name] = stages.get(name, 0.0) + (now - clock[0]) * 1000
            clock[0] = now

        for _ in range(self.steps):
            sync(self.device)
            clock[0] = time.perf_counter()
            step(stage)
        return self.result("train_step", setting, self.steps * self.batch / seconds, seconds,
                           {k: round(v / self.steps, 3) for k, v in stages.items()})

    def inference(self, setting):
        model, _, _, cl = self.build(setting)
        x, _ = self.data(self.batch, 2, cl)
        model.eval()
        with torch.no_grad():
            for _ in range(self.warmup):
                model(x).argmax(1)
            sync(self.device)
            t = time.perf_counter()
            for _ in range(self.steps):
                model(x).argmax(1)
            sync(self.device)
            seconds = time.perf_counter() - t
        return self.result("inference", setting, self.steps * self.batch / seconds, seconds)

    def pruning_iteration(self, setting, images):
        model, weights, masks, cl = self.build(setting)
        tx, ty = self.data(images, 3, cl)
        vx, vy = self.data(max(self.batch, images // 4), 4, cl)
        sync(self.device)
        t = time.perf_counter()
        masks = prune(weights, masks, 0.2)
        opt = self.optimizer(model)
        model.train()
        for start in range(0, images - self.batch + 1, self.batch):
            masked_step(model, opt, weights, masks, tx[start:start + self.batch], ty[start:start + self.batch])
        model.eval()
        correct = torch.zeros(1, dtype=torch.long, device=self.device)
        with torch.no_grad():
            for start in range(0, vx.shape[0], self.batch):
                correct += (model(vx[start:start + self.batch]).argmax(1) == vy[start:start + self.batch]).sum()
        correct.item()
        sync(self.device)
        seconds = time.perf_counter() - t
        return self.result("pruning_iteration", setting, images / seconds, seconds)

    def result(self, workload, setting, ips, seconds, stages=None):
        arch = self.arch if self.width == 1 else f"{self.arch}-w{self.width:g}"
        return {"Workload": workload, "Setting": setting, "Architecture": arch, "Batch": self.batch,
                "ImageSize": self.size, "ImagesPerSecond": ips, "Seconds": seconds, "StageMs": stages or {}}


class Jpegs(torch.utils.data.Dataset):
    def __init__(self, paths, transform):
        self.paths, self.transform = paths, transform

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, i):
        from PIL import Image
        with open(self.paths[i], "rb") as f:
            return self.transform(Image.open(f).convert("RGB"))


def pipeline(folder, images, batch, size, workers):
    """One pass over the first `images` JPEGs of `folder` per transform, after an untimed pass (as the suite does)."""
    import torchvision.transforms as T
    names = sorted(n for n in os.listdir(folder) if n.endswith(".jpg"))[:images] if os.path.isdir(folder) else []
    if len(names) < images:
        raise SystemExit(f"{folder} holds {len(names)} of the {images} JPEGs needed; "
                         f"write them first with: repro speed --workloads pipeline --pipeline-dir {folder}")
    paths = [os.path.join(folder, n) for n in names]
    normalize = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    transforms = {
        "pipeline_train": T.Compose([T.RandomResizedCrop(size), T.RandomHorizontalFlip(), T.ToTensor(), normalize]),
        "pipeline_eval": T.Compose([T.Resize(round(size / 0.875)), T.CenterCrop(size), T.ToTensor(), normalize]),
    }
    if workers <= 1:
        torch.set_num_threads(1)
    results = []
    for workload, transform in transforms.items():
        data = Jpegs(paths, transform)
        torch.manual_seed(1)
        if workers <= 1:
            def one_pass():
                for start in range(0, len(data), batch):
                    torch.stack([data[i] for i in range(start, min(start + batch, len(data)))])
        else:
            # Persistent workers stay up between the untimed and the timed pass.
            loader = torch.utils.data.DataLoader(data, batch_size=batch, shuffle=workload == "pipeline_train",
                                                 num_workers=workers, persistent_workers=True, prefetch_factor=2)

            def one_pass():
                for _ in loader:
                    pass
        one_pass()
        t = time.perf_counter()
        one_pass()
        seconds = time.perf_counter() - t
        results.append({"Workload": workload, "Setting": f"decode_threads={max(workers, 1)}", "Architecture": "",
                        "Batch": batch, "ImageSize": size, "ImagesPerSecond": len(data) / seconds,
                        "Seconds": seconds, "StageMs": {}})
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--arch", default="resnet18")
    ap.add_argument("--width", type=float, default=1.0, help="channel width multiplier (ResNets)")
    ap.add_argument("--workloads", default="all",
                    help="comma-separated: train_step, inference, pruning_iteration, or all of these; or pipeline alone")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--images", type=int, default=2048)
    ap.add_argument("--settings", default="all")
    ap.add_argument("--foreach", choices=["default", "on", "off"], default="default",
                    help="SGD's multi-tensor path (PyTorch's default on CUDA is on)")
    ap.add_argument("--threads", type=int, help="CPU threads (the suite uses one per core)")
    ap.add_argument("--onednn", choices=["auto", "on", "off"], default="auto",
                    help="CPU convolutions with oneDNN (on, PyTorch's default; auto means the same here) or libtorch's native kernels (off)")
    ap.add_argument("--json")
    ap.add_argument("--pipeline-dir", default=os.path.join(tempfile.gettempdir(), "repro-pipeline-jpegs"))
    ap.add_argument("--pipeline-images", type=int, default=256)
    ap.add_argument("--pipeline-batch", type=int, default=32)
    ap.add_argument("--decode-threads", type=int, default=1,
                    help="1: this process on one torch thread; k > 1: a DataLoader with k workers; 0: one per core")
    a = ap.parse_args()
    if a.workloads == "pipeline":
        workers = a.decode_threads if a.decode_threads > 0 else os.cpu_count()
        import PIL
        print(f"pytorch {torch.__version__}, torchvision {torchvision.__version__}, PIL {PIL.__version__}: data pipeline, "
              f"{a.pipeline_images} JPEGs in {a.pipeline_dir}, batch {a.pipeline_batch}, crop {a.size} px, "
              f"{'1 process' if workers <= 1 else f'DataLoader with {workers} workers'}", flush=True)
        results = pipeline(a.pipeline_dir, a.pipeline_images, a.pipeline_batch, a.size, workers)
        for r in results:
            print(f"  {r['Workload']:<17} {r['Setting']:<19} {r['ImagesPerSecond']:8.0f} img/s  {r['Seconds']:7.2f} s", flush=True)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(results, f, indent=2)
        return
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.onednn == "off":
        torch.backends.mkldnn.enabled = False
    device = torch.device(a.device)
    foreach = {"default": None, "on": True, "off": False}[a.foreach]
    probe = Probe(device, a.arch, a.batch, a.size, a.steps, foreach=foreach, width=a.width)
    runs = {"train_step": probe.train_step, "inference": probe.inference,
            "pruning_iteration": lambda st: probe.pruning_iteration(st, a.images)}
    workloads = list(runs) if a.workloads == "all" else a.workloads.split(",")
    # The suite's "+flat_sgd" is what PyTorch's multi-tensor SGD already does on CUDA.
    settings = list(SETTINGS) if a.settings == "all" else list(dict.fromkeys(s.replace("+flat_sgd", "") for s in a.settings.split(",")))
    print(f"pytorch {torch.__version__}: {a.arch} batch {a.batch} at {a.size} px on {device}"
          f"{' (' + torch.cuda.get_device_name(device) + ')' if device.type == 'cuda' else f' ({torch.get_num_threads()} threads)'}"
          f", SGD foreach {a.foreach}", flush=True)
    results = []
    for s in settings:
        for w in workloads:
            r = runs[w](s)
            if a.foreach != "default":
                r["Setting"] += f" (foreach {a.foreach})"
            results.append(r)
            stages = ("  stages ms: " + ", ".join(f"{k} {v:.2f}" for k, v in r["StageMs"].items())) if r["StageMs"] else ""
            print(f"  {r['Workload']:<17} {r['Setting']:<19} {r['ImagesPerSecond']:8.0f} img/s  {r['Seconds']:7.2f} s{stages}", flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
