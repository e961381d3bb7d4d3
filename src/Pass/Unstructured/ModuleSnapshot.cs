using SparseCore.Models.Modules;
using SparseCore.Tensors;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// A host copy of a network's parameters, buffers and train/eval modes, put back by
/// <see cref="Restore"/>: how a scoring method that must run the dense network otherwise than as
/// given (SNIP with batch-norm in training mode, which moves the running statistics; SynFlow on
/// |θ|) hands it back exactly as it found it, and how IMP rewinds to the dense network.
/// </summary>
internal sealed class ModuleSnapshot
{
    private readonly List<(Tensor Tensor, float[] Values)> tensors = new();
    private readonly List<(Module Module, bool Training)> modes = new();

    public ModuleSnapshot(Module model)
    {
        foreach (var p in model.Parameters()) tensors.Add((p.Value, p.Value.ToArray()));
        foreach (var (_, b) in model.NamedBuffers()) tensors.Add((b, b.ToArray()));
        modes.Add((model, model.Training));
        // Parents come before children, so restoring in this order leaves each module its own mode.
        foreach (var (_, m) in model.NamedModules()) modes.Add((m, m.Training));
    }

    /// <summary>Every parameter and buffer as a host copy, in the snapshot's order (parameters, then buffers).</summary>
    public IEnumerable<(Tensor Tensor, float[] Values)> Tensors => tensors;

    /// <summary>A short SHA-256 of every value: which network a saved product was made from.</summary>
    public string Fingerprint()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (_, values) in tensors) sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    public void Restore()
    {
        foreach (var (t, values) in tensors) t.Backend.Upload<float>(values, t.Buffer);
        foreach (var (m, training) in modes) m.Train(training);
    }
}
