using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// The 0/1 mask of the <c>keep</c> best scores, made on the device: PASS's per-layer recurrence
/// keeps each mask's own top round((1 − s)·C) channels before the next LSTM step, and choosing them
/// on the host cost a download (a full stream synchronisation on a GPU) for every mask.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// mask[j] = 1 for the <paramref name="keep"/> best of scores[0..n), else 0: best is the larger
    /// score, ties to the smaller index, NaN after every number (the order of
    /// <see cref="float.CompareTo(float)"/> descending, then index ascending).
    /// </summary>
    public void TopMask(DeviceBuffer<float> scores, int n, int keep, DeviceBuffer<float> mask)
    {
        const string op = "TopMask";
        if (n < 1) throw new ArgumentException($"{op}: n must be ≥ 1, got {n}");
        if (keep < 0 || keep > n) throw new ArgumentException($"{op}: keep must lie in [0, n = {n}], got {keep}");
        CheckLength(op, "scores", scores, n); CheckLength(op, "mask", mask, n);
        if (ReferenceEquals(scores.Storage, mask.Storage)) throw new ArgumentException($"{op}: the mask must not be the scores buffer");
        using var profile = Profile(OpFamily.ChannelMasking, 0, 4.0 * n * n + 4.0 * n);
        RunTopMask(scores, n, keep, mask);
    }

    protected abstract void RunTopMask(DeviceBuffer<float> scores, int n, int keep, DeviceBuffer<float> mask);
}
