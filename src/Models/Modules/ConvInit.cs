namespace SparseCore.Models.Modules;

/// <summary>How a <see cref="Conv2d"/> draws its weights.</summary>
public enum ConvInit
{
    /// <summary>torch.nn.Conv2d's own reset: weight and bias U(±1/√fan_in), fan_in = in · kernel area.</summary>
    PyTorchDefault,

    /// <summary>
    /// What torchvision's ResNet and VGG apply after construction: kaiming_normal_(mode="fan_out",
    /// nonlinearity="relu"), i.e. N(0, 2/fan_out) with fan_out = out · kernel area; bias zero.
    /// </summary>
    KaimingNormalFanOut,

    /// <summary>N(0, 1/fan_in) with zero bias: torchvision's ViT conv_proj (which also truncates at ±2σ).</summary>
    NormalFanIn,
}
