using SparseCore.Models.Flops;
using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// Input normalisation as the model's first layer, (x − mean) / std per channel (or one mean and
/// std for all channels), so that data stays in [0, 1] pixel space up to here (where a visual
/// prompt is later added). Constants, not state: nothing is trained or saved.
/// </summary>
public sealed class Normalize : Module
{
    private readonly float[] mean, std;
    private Tensor? scale, shift;

    public Normalize(float mean, float std) : this([mean], [std]) { }

    public Normalize(float[] mean, float[] std)
    {
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalize: needs as many means as stds (at least one), got {mean.Length} and {std.Length}");
        foreach (float s in std)
            if (!(s > 0)) throw new ArgumentException($"Normalize: std must be positive, got {s}");
        this.mean = (float[])mean.Clone();
        this.std = (float[])std.Clone();
    }

    public IReadOnlyList<float> Mean => mean;
    public IReadOnlyList<float> Std => std;

    protected override Tensor ForwardCore(Tensor x)
    {
        if (mean.Length == 1) return F.Affine(x, 1f / std[0], -mean[0] / std[0]);
        if (x.Rank != 4 || x.Shape[1] != mean.Length)
            throw new TensorShapeException("Normalize", $"has {mean.Length} channel statistics but x is {x.Shape}");
        if (scale is null || scale.Backend != x.Backend)
        {
            scale?.Dispose();
            shift?.Dispose();
            scale = Tensor.FromArray(x.Backend, std.Select(s => 1f / s).ToArray(), new Shape(std.Length)).Persist();
            shift = Tensor.FromArray(x.Backend, mean.Select((m, c) => -m / std[c]).ToArray(), new Shape(mean.Length)).Persist();
        }
        return F.Add(F.Mul(x, scale, axis: 1), shift!, axis: 1);
    }

    public override Shape Trace(Shape input, ShapeTrace trace)
    {
        if (mean.Length > 1 && (input.Rank != 4 || input[1] != mean.Length))
            throw new TensorShapeException($"Normalize '{trace.Name}'", $"has {mean.Length} channel statistics but the input is {input}");
        return input;
    }

    public override void Dispose()
    {
        scale?.Dispose();
        shift?.Dispose();
        base.Dispose();
    }
}
