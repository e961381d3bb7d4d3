using SparseCore.Models.IO;
using SparseCore.Models.Modules;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// A host copy of a network's parameters and buffers, to put back later: IMP's rewinding, and the
/// scoring passes that must leave the dense network as they found it.
/// </summary>
public sealed class StateSnapshot
{
    private readonly CheckpointState state;
    private readonly float[][] parameters;
    private readonly float[][] buffers;

    public StateSnapshot(Module model)
    {
        state = CheckpointState.Of(model);
        parameters = state.Parameters.Select(p => p.Parameter.Value.ToArray()).ToArray();
        buffers = state.Buffers.Select(b => b.Buffer.ToArray()).ToArray();
    }

    public void Restore()
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            var v = state.Parameters[i].Parameter.Value;
            v.Backend.Upload<float>(parameters[i], v.Buffer);
        }
        for (int i = 0; i < buffers.Length; i++)
        {
            var b = state.Buffers[i].Buffer;
            b.Backend.Upload<float>(buffers[i], b.Buffer);
        }
    }

    /// <summary>A short SHA-256 of every value: which network a saved product was made from.</summary>
    public string Fingerprint()
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var values in parameters.Concat(buffers)) sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
