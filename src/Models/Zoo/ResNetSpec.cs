namespace SparseCore.Models.Zoo;

public enum ResNetBlock
{
    /// <summary>Two 3×3 convs (ResNet-18/34 and the CIFAR ResNets).</summary>
    Basic,

    /// <summary>1×1 → 3×3 (carrying the stride, torchvision's v1.5) → 1×1 with 4× expansion (ResNet-50).</summary>
    Bottleneck,
}

/// <summary>How a block whose stride or width changes carries its input to the residual add.</summary>
public enum ResNetShortcut
{
    /// <summary>He et al.'s option A: subsample by the stride and zero-pad the new channels; no parameters.</summary>
    ZeroPad,

    /// <summary>Option B: 1×1 conv with the stride + batch-norm, named downsample.0 / downsample.1 as in torchvision.</summary>
    Conv,
}

/// <summary>
/// A ResNet's shape: block type, blocks per stage, default planes per stage, stem width and kind.
/// The ImageNet stem is conv1 7×7 stride 2 + 3×3 max-pool stride 2; the small stem (CIFAR ResNets
/// and the small-input option for 28–32 px) is conv1 3×3 stride 1 and no max-pool.
/// </summary>
public sealed record ResNetSpec(string Name, ResNetBlock Block, int[] Depths, int[] Planes, int StemWidth, bool ImageNetStem, ResNetShortcut Shortcut)
{
    public int Expansion => Block == ResNetBlock.Bottleneck ? 4 : 1;

    /// <summary>He et al.'s CIFAR ResNet-(6n+2): 3 stages of n basic blocks, 16/32/64 planes.</summary>
    public static ResNetSpec Cifar(int depth, ResNetShortcut shortcut = ResNetShortcut.ZeroPad)
    {
        if (depth < 8 || (depth - 2) % 6 != 0) throw new ArgumentException($"a CIFAR ResNet's depth must be 6n + 2 (20, 32, 44, 56, …), got {depth}");
        int n = (depth - 2) / 6;
        return new ResNetSpec($"resnet{depth}", ResNetBlock.Basic, [n, n, n], [16, 32, 64], 16, false, shortcut);
    }

    /// <summary>torchvision's ResNet-18, -34 or -50 (64/128/256/512 planes, conv shortcuts).</summary>
    public static ResNetSpec ImageNet(int depth, bool smallStem = false) => depth switch
    {
        18 => new("resnet18", ResNetBlock.Basic, [2, 2, 2, 2], [64, 128, 256, 512], 64, !smallStem, ResNetShortcut.Conv),
        34 => new("resnet34", ResNetBlock.Basic, [3, 4, 6, 3], [64, 128, 256, 512], 64, !smallStem, ResNetShortcut.Conv),
        50 => new("resnet50", ResNetBlock.Bottleneck, [3, 4, 6, 3], [64, 128, 256, 512], 64, !smallStem, ResNetShortcut.Conv),
        _ => throw new ArgumentException($"ImageNet ResNets here are 18, 34 and 50 deep, got {depth}"),
    };
}
