using SparseCore.Kernels.Elementwise;
using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Masks;

/// <summary>
/// Keeps an unstructured selection fixed while a network trains: each masked weight is set to W ⊙ m
/// once, and after every backward pass its gradient is multiplied by m, so a pruned weight stays
/// exactly zero under SGD (momentum and weight decay only ever see zeros there) and AdamW alike —
/// the same argument as <see cref="Extraction.ZeroedChannelHold"/>, element by element.
/// </summary>
public sealed class WeightMaskHold : IDisposable
{
    private readonly List<(Parameter Parameter, Tensor Mask)> held = [];

    /// <param name="masks">0/1 masks by parameter name, each the size of its parameter.</param>
    public WeightMaskHold(Module model, IReadOnlyDictionary<string, float[]> masks)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(masks);
        var parameters = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        try
        {
            foreach (var (name, values) in masks)
            {
                if (!parameters.TryGetValue(name, out var p))
                    throw new ArgumentException($"weight mask '{name}': the network has no parameter of that name");
                if (values.Length != p.Value.Size)
                    throw new ArgumentException($"weight mask '{name}': {values.Length} values for a parameter of {p.Value.Size} ({p.Value.Shape})");
                var mask = Tensor.FromArray(p.Value.Backend, values, p.Value.Shape).Persist();
                held.Add((p, mask));
                Multiply(p.Value, mask);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The masks as the tensors a checkpoint keeps beside the weights: "weight_mask.NAME".</summary>
    public IEnumerable<(string Name, Tensor Mask)> Named(Module model)
    {
        var names = new Dictionary<Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in model.NamedParameters()) names.TryAdd(p, name);
        return held.Select(h => (WeightMasks.Prefix + names[h.Parameter], h.Mask));
    }

    /// <summary>Multiplies each held parameter's gradient by its mask (frozen parameters and those without a gradient are skipped).</summary>
    public void MaskGradients()
    {
        foreach (var (p, mask) in held)
            if (!p.Frozen && p.Grad is { } grad) Multiply(grad, mask);
    }

    private static void Multiply(Tensor target, Tensor mask) =>
        target.Backend.Binary(BinaryOp.Mul, target.Buffer, mask.Buffer, target.Buffer, Broadcast.Same(target.Size));

    public void Dispose()
    {
        foreach (var (_, mask) in held) mask.Dispose();
        held.Clear();
    }
}
