"""The five architectures of the original project as a PyTorch reference, written from
../shared/seed/MODELS.md (not copied from the original code). Run directly to verify the
parameter counts at 224x224: /usr/bin/python3 bench/torch/models.py"""
import sys

import torch
from torch import nn

NUM_LABELS = 4
EXPECTED = {
    "AlexNet2D": 57_004_740,
    "SENet": 26_040_948,
    "ConvNeXtV2_2D": 477_220,
    "VisionLSTM": 10_330_884,
    "ViT": 85_408_516,
}


class AlexNet2D(nn.Module):
    def __init__(self, in_chans=1, num_labels=NUM_LABELS):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_chans, 64, 11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
            nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2),
        )
        self.pool = nn.AdaptiveAvgPool2d(6)
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(9216, 4096), nn.ReLU(inplace=True),
            nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_labels),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.pool(self.features(x)), 1))


class SEBottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, reduction=16):
        super().__init__()
        out = planes * self.expansion
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, out, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(out)
        self.se = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(out, out // reduction),
                                nn.ReLU(inplace=True), nn.Linear(out // reduction, out), nn.Sigmoid())
        self.down = None
        if stride != 1 or inplanes != out:
            self.down = nn.Sequential(nn.Conv2d(inplanes, out, 1, stride=stride, bias=False), nn.BatchNorm2d(out))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        y = y * self.se(y)[:, :, None, None]
        return self.relu(y + (x if self.down is None else self.down(x)))


class SENet(nn.Module):
    def __init__(self, in_chans=1, num_labels=NUM_LABELS, layers=(3, 4, 6, 3)):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(in_chans, 64, 7, stride=2, padding=3, bias=False), nn.BatchNorm2d(64),
                                  nn.ReLU(inplace=True), nn.MaxPool2d(3, stride=2, padding=1))
        blocks, inplanes = [], 64
        for i, (n, planes) in enumerate(zip(layers, (64, 128, 256, 512))):
            for b in range(n):
                blocks.append(SEBottleneck(inplanes, planes, stride=2 if (b == 0 and i > 0) else 1))
                inplanes = planes * 4
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(inplanes, num_labels)

    def forward(self, x):
        return self.fc(self.blocks(self.stem(x)).mean((2, 3)))


class GRN(nn.Module):
    """Global Response Normalization (ConvNeXt V2), channels-last."""

    def __init__(self, dim):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(dim))
        self.beta = nn.Parameter(torch.zeros(dim))

    def forward(self, x):
        gx = torch.norm(x, p=2, dim=(1, 2), keepdim=True)
        nx = gx / (gx.mean(dim=-1, keepdim=True) + 1e-6)
        return self.gamma * (x * nx) + self.beta + x


class ConvNeXtBlock(nn.Module):
    def __init__(self, dim, grn=False):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.pw1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.grn = GRN(4 * dim) if grn else nn.Identity()
        self.pw2 = nn.Linear(4 * dim, dim)

    def forward(self, x):
        y = self.dwconv(x).permute(0, 2, 3, 1)
        y = self.pw2(self.grn(self.act(self.pw1(self.norm(y)))))
        return x + y.permute(0, 3, 1, 2)


class ConvNeXtV2_2D(nn.Module):
    def __init__(self, in_chans=1, num_labels=NUM_LABELS, dim=96, depth=6, grn=False):
        super().__init__()
        self.stem = nn.Conv2d(in_chans, dim, 4, stride=4)
        self.blocks = nn.Sequential(*[ConvNeXtBlock(dim, grn) for _ in range(depth)])
        self.head = nn.Linear(dim, num_labels)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)).mean((2, 3)))


def _mlp(dim, hidden, p):
    return nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(p), nn.Linear(hidden, dim), nn.Dropout(p))


class LSTMBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.lstm = nn.LSTM(dim, dim, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = _mlp(dim, 4 * dim, 0.1)

    def forward(self, x):
        x = x + self.proj(self.lstm(self.norm1(x))[0])
        return x + self.mlp(self.norm2(x))


class VisionLSTM(nn.Module):
    def __init__(self, in_chans=1, num_labels=NUM_LABELS, dim=256, depth=6, patch=16):
        super().__init__()
        self.patch = nn.Conv2d(in_chans, dim, patch, stride=patch)
        self.blocks = nn.Sequential(*[LSTMBlock(dim) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_labels)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        return self.head(self.norm(self.blocks(x)).mean(1))


class ViTBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = nn.MultiheadAttention(dim, heads, dropout=0.1, batch_first=True)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = _mlp(dim, 4 * dim, 0.1)

    def forward(self, x):
        y = self.norm1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.norm2(x))


class ViT(nn.Module):
    def __init__(self, in_chans=1, num_labels=NUM_LABELS, img_size=224, patch=16, dim=768, depth=12, heads=12):
        super().__init__()
        self.patch = nn.Conv2d(in_chans, dim, patch, stride=patch)
        tokens = (img_size // patch) ** 2 + 1
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, tokens, dim))
        nn.init.trunc_normal_(self.pos, std=0.02)
        nn.init.trunc_normal_(self.cls, std=0.02)
        self.blocks = nn.Sequential(*[ViTBlock(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_labels)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        return self.head(self.norm(self.blocks(x))[:, 0])


def build(name, size=224):
    if name == "ViT":
        return ViT(img_size=size)
    return {"AlexNet2D": AlexNet2D, "SENet": SENet, "ConvNeXtV2_2D": ConvNeXtV2_2D, "VisionLSTM": VisionLSTM}[name]()


def count(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


if __name__ == "__main__":
    bad = 0
    for name, want in EXPECTED.items():
        m = build(name)
        got = count(m)
        with torch.no_grad():
            out = m.eval()(torch.zeros(1, 1, 224, 224))
        ok = got == want and tuple(out.shape) == (1, NUM_LABELS)
        bad += not ok
        print(f"{name:14s} {got:>12,d} expected {want:>12,d} {'ok' if ok else 'MISMATCH'}")
    print(f"ConvNeXtV2_2D with GRN: {count(ConvNeXtV2_2D(grn=True)):,d}")
    sys.exit(1 if bad else 0)
