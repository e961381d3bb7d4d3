using SparseCore.Kernels.Elementwise;
using SparseCore.Models.Modules;

namespace SparseCore.Pass.Masks;

/// <summary>
/// Keeps an unstructured selection fixed while a network trains: each masked weight is set to W ⊙ m
/// once, then held by m (<see cref="GradientHold"/>), so a pruned weight stays exactly zero.
/// </summary>
public sealed class WeightMaskHold : GradientHold
{
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
                var shape = Broadcast.Same(values.Length);
                Multiply(p.Value, Hold(p, values, shape, p.Value.Shape), shape);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The masks as the tensors a checkpoint keeps beside the weights: "weight_mask.NAME".</summary>
    public IEnumerable<(string Name, SparseCore.Tensors.Tensor Mask)> Named(Module model)
    {
        var names = new Dictionary<Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, p) in model.NamedParameters()) names.TryAdd(p, name);
        return Held.Select(h => (WeightMasks.Prefix + names[h.Parameter], h.Mask));
    }
}
