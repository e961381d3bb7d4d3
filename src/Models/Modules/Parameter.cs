using SparseCore.Tensors;

namespace SparseCore.Models.Modules;

/// <summary>
/// A named trainable tensor owned by a module. The tensor lives outside every scope and is
/// released with its module. Freezing stops gradients without removing it from the state.
/// </summary>
public sealed class Parameter : IDisposable
{
    public Parameter(string name, Tensor value)
    {
        Name = name;
        Value = value.Persist();
        Value.RequiresGrad = true;
    }

    /// <summary>The local name ("weight"); full dotted names come from <see cref="Module.NamedParameters"/>.</summary>
    public string Name { get; }

    public Tensor Value { get; }

    public Tensor? Grad => Value.Grad;

    public bool Frozen
    {
        get => !Value.RequiresGrad;
        set
        {
            Value.RequiresGrad = !value;
            if (value) Value.ZeroGrad();
        }
    }

    public void Dispose() => Value.Dispose();
}
