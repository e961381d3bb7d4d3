using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// Input normalisation as the model's first layer, (x − mean) / std, so that data stays in [0, 1]
/// pixel space up to here (where a visual prompt is later added).
/// </summary>
public sealed class Normalize(float mean, float std) : Module
{
    public float Mean { get; } = mean;
    public float Std { get; } = std > 0 ? std : throw new ArgumentException($"Normalize: std must be positive, got {std}");

    public override Tensor Forward(Tensor x) => F.Affine(x, 1f / Std, -Mean / Std);
}
