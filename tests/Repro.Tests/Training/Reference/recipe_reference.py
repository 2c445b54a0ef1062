# Reference values for RecipeTests, computed with torch (Debian's python3-torch 1.13):
#   /usr/bin/python3 tests/Repro.Tests/Training/Reference/recipe_reference.py
# The tests hold the printed numbers; rerun this after changing an input here and paste them back.
import torch
import torch.nn.functional as F
from torch.optim.lr_scheduler import ConstantLR, CosineAnnealingLR, LinearLR, SequentialLR, StepLR
from torch.optim.swa_utils import AveragedModel

torch.set_printoptions(precision=10)


def linspace_tensor(n, start, step, shape):
    return torch.tensor([start + step * i for i in range(n)], dtype=torch.float32).reshape(shape)


def fmt(t):
    return ", ".join(repr(float(v)) for v in t.flatten().tolist())


# AdamW on a masked linear layer: weight decay 0.3 on the weight, 0.0 on the bias (a bias group), three steps.
weight = linspace_tensor(12, -0.5, 0.09, (3, 4))
mask = torch.tensor([[1, 0, 1, 1], [1, 1, 0, 1], [0, 1, 1, 1]], dtype=torch.float32)
weight = weight * mask
bias = torch.tensor([0.1, -0.2, 0.05])
x = linspace_tensor(20, -1.0, 0.1, (4, 5))
t = linspace_tensor(15, 0.3, -0.05, (3, 5))
w = torch.nn.Parameter(weight.clone())
b = torch.nn.Parameter(bias.clone())
opt = torch.optim.AdamW([{"params": [w], "weight_decay": 0.3}, {"params": [b], "weight_decay": 0.0}], lr=0.01)
for lr in [0.01, 0.005, 0.0025]:
    for g in opt.param_groups:
        g["lr"] = lr
    opt.zero_grad()
    loss = ((w @ x + b[:, None] - t) ** 2).mean()
    loss.backward()
    w.grad.mul_(mask)
    opt.step()
    with torch.no_grad():
        w.mul_(mask)
print("adamw weight:", fmt(w.detach()))
print("adamw bias:", fmt(b.detach()))


def lrs(make, epochs, lr):
    p = torch.nn.Parameter(torch.zeros(1))
    o = torch.optim.SGD([p], lr=lr)
    s = make(o)
    out = []
    for _ in range(epochs):
        out.append(o.param_groups[0]["lr"])
        o.step()
        s.step()
    return out


# train.py: CosineAnnealingLR(T_max = epochs - warmup, eta_min = lr_min) after LinearLR / ConstantLR warm-up.
print("linear warm-up then cosine:", lrs(lambda o: SequentialLR(o, [LinearLR(o, start_factor=0.033, total_iters=5),
                                                                     CosineAnnealingLR(o, T_max=12 - 5, eta_min=1e-4)], milestones=[5]), 12, 0.003))
print("constant warm-up then step:", lrs(lambda o: SequentialLR(o, [ConstantLR(o, factor=0.1, total_iters=2),
                                                                      StepLR(o, step_size=3, gamma=0.1)], milestones=[2]), 10, 0.5))

# Label smoothing, with class indices and with mixed (probability) targets.
logits = linspace_tensor(20, -1.2, 0.17, (4, 5)).sin() * 3
labels = torch.tensor([0, 3, 4, 1])
print("label smoothing 0.11, indices:", repr(float(F.cross_entropy(logits, labels, label_smoothing=0.11))))
onehot = F.one_hot(labels, 5).float()
mixed = onehot * 0.3 + onehot.roll(1, 0) * 0.7
print("label smoothing 0.11, mixed targets (lambda 0.3):", repr(float(F.cross_entropy(logits, mixed, label_smoothing=0.11))))

# Gradient-norm clipping.
g1 = torch.nn.Parameter(torch.zeros(2, 3))
g2 = torch.nn.Parameter(torch.zeros(4))
g1.grad = linspace_tensor(6, 0.5, -0.3, (2, 3))
g2.grad = linspace_tensor(4, 1.5, 0.25, (4,))
total = torch.nn.utils.clip_grad_norm_([g1, g2], 1.0)
print("clip total norm:", repr(float(total)))
print("clipped:", fmt(g1.grad), "|", fmt(g2.grad))

# AveragedModel over parameters and buffers with torchvision's EMA function, three updates.
net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
decay = 0.9
ema = AveragedModel(net, avg_fn=lambda avg, p, n: decay * avg + (1 - decay) * p, use_buffers=True)
for k in range(3):
    with torch.no_grad():
        for i, tensor in enumerate(list(net.parameters()) + [b for b in net.buffers() if b.dtype.is_floating_point]):
            tensor.copy_(linspace_tensor(tensor.numel(), 0.1 * (k + 1) + i, 0.37 * (k - 1), tensor.shape))
    ema.update_parameters(net)
print("ema:", fmt(torch.cat([p.detach().flatten() for p in list(ema.module.parameters()) + [b for b in ema.module.buffers() if b.dtype.is_floating_point]])))
