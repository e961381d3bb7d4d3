using SparseCore.Kernels.Elementwise;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Masks;

/// <summary>
/// Holds pruned parameter entries at exactly zero while a network trains: each held parameter has
/// a 0/1 mask (broadcast over it), and <see cref="MaskGradients"/>, called between the backward pass
/// and the optimizer step (TrainerOptions.AfterBackward), multiplies its gradient by the mask. A
/// zero value with a zero gradient stays exactly zero under SGD (weight decay adds wd·0, the
/// momentum buffer only ever accumulates zeros), Adam (its L2 decay adds wd·0, both moments stay
/// 0) and AdamW (both moments stay 0, the decoupled decay scales 0), and the optimizer's state
/// stays zero there too — which re-zeroing the weights after the step would not give. The one mechanism behind union mode's kept-but-zeroed channels
/// (<see cref="Extraction.ZeroedChannelHold"/>) and unstructured weight masks (<see cref="WeightMaskHold"/>).
/// </summary>
public abstract class GradientHold : IDisposable
{
    private readonly List<(Parameter Parameter, Tensor Mask, Broadcast Shape)> held = [];

    /// <summary>How many parameters have entries held at zero.</summary>
    public int Parameters => held.Count;

    /// <summary>The held parameters with their masks.</summary>
    protected IEnumerable<(Parameter Parameter, Tensor Mask)> Held => held.Select(h => (h.Parameter, h.Mask));

    /// <summary>
    /// Holds <paramref name="p"/> by <paramref name="mask"/>, broadcast over it as <paramref name="shape"/>
    /// (the mask is its middle axis); returns the device copy of the mask, shaped
    /// <paramref name="maskShape"/> (default: flat).
    /// </summary>
    protected Tensor Hold(Parameter p, float[] mask, Broadcast shape, Shape? maskShape = null)
    {
        var tensor = Tensor.FromArray(p.Value.Backend, mask, maskShape ?? new Shape(mask.Length)).Persist();
        held.Add((p, tensor, shape));
        return tensor;
    }

    /// <summary>Multiplies <paramref name="target"/> (a held parameter's value or gradient) by the mask it is held by.</summary>
    protected static void Multiply(Tensor target, Tensor mask, Broadcast shape) =>
        target.Backend.Binary(BinaryOp.Mul, target.Buffer, mask.Buffer, target.Buffer, shape);

    /// <summary>Multiplies each held parameter's gradient by its mask; frozen parameters and those without a gradient are skipped, as the optimizer skips them.</summary>
    public void MaskGradients()
    {
        foreach (var (p, mask, shape) in held)
            if (!p.Frozen && p.Grad is { } grad) Multiply(grad, mask, shape);
    }

    public void Dispose()
    {
        foreach (var (_, mask, _) in held) mask.Dispose();
        held.Clear();
        GC.SuppressFinalize(this);
    }
}
