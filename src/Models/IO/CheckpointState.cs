using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Models.IO;

/// <summary>
/// The named tensors a checkpoint holds: parameters (optimizer state is keyed by their names),
/// buffers, and the dropout layers whose mask streams are recorded. Usually one model's
/// (<see cref="Of(Module)"/>); a training method that learns parts of several modules — PASS's
/// stage 1 learns a prompt and a hypernetwork around a frozen backbone — names just those parts
/// (<see cref="Of(ValueTuple{string, Module}[])"/>).
/// </summary>
public sealed record CheckpointState(
    IReadOnlyList<(string Name, Parameter Parameter)> Parameters,
    IReadOnlyList<(string Name, Tensor Buffer)> Buffers,
    IReadOnlyList<(string Name, Dropout Dropout)> Dropouts)
{
    /// <summary>A model's parameters, buffers and dropout layers under their own names.</summary>
    public static CheckpointState Of(Module model) => Of(("", model));

    /// <summary>Several modules, each under "prefix." (no prefix for "").</summary>
    public static CheckpointState Of(params (string Prefix, Module Module)[] parts)
    {
        var parameters = new List<(string, Parameter)>();
        var buffers = new List<(string, Tensor)>();
        var dropouts = new List<(string, Dropout)>();
        foreach (var (prefix, module) in parts)
        {
            ArgumentNullException.ThrowIfNull(module);
            string p = prefix.Length == 0 ? "" : prefix + ".";
            parameters.AddRange(module.NamedParameters(p));
            buffers.AddRange(module.NamedBuffers(p));
            dropouts.AddRange(module.NamedModules().Where(m => m.Module is Dropout).Select(m => (p + m.Name, (Dropout)m.Module)));
        }
        return new CheckpointState(parameters, buffers, dropouts);
    }

    /// <summary>This state with more buffers (weight masks, say) saved and loaded beside it.</summary>
    public CheckpointState With(IEnumerable<(string Name, Tensor Buffer)> buffers) => this with { Buffers = [.. Buffers, .. buffers] };
}
