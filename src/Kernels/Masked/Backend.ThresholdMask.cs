using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// The 0/1 mask of the scores at or above a threshold, made on the device: PASS's recurrence
/// needs one per mask per search step, and making it on the host cost a download (a full stream
/// synchronisation on a GPU) for every mask.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// mask[j] = 1 where scores[j] ≥ <paramref name="threshold"/>, else 0, for j &lt; n; when no score
    /// reaches it, the one largest score is kept instead (the first index among equal largest, NaN
    /// never counted as larger; index 0 when every score is NaN), so a mask never empties.
    /// </summary>
    public void ThresholdMask(DeviceBuffer<float> scores, int n, float threshold, DeviceBuffer<float> mask)
    {
        const string op = "ThresholdMask";
        if (n < 1) throw new ArgumentException($"{op}: n must be ≥ 1, got {n}");
        CheckLength(op, "scores", scores, n); CheckLength(op, "mask", mask, n);
        if (ReferenceEquals(scores.Storage, mask.Storage)) throw new ArgumentException($"{op}: the mask must not be the scores buffer");
        using var profile = Profile(OpFamily.ChannelMasking, 0, 8.0 * n);
        RunThresholdMask(scores, n, threshold, mask);
    }

    protected abstract void RunThresholdMask(DeviceBuffer<float> scores, int n, float threshold, DeviceBuffer<float> mask);
}
