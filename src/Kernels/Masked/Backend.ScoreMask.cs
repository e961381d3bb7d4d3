using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels;

/// <summary>
/// The score mask of unstructured pruning with learned scores (HYDRA, VPNs): a weight W runs as
/// W ⊙ m, where m is a 0/1 mask chosen on the host by a top-k over |s| of a real score tensor s
/// of W's shape. The forward is <see cref="Binary"/> Mul; the backward is the straight-through
/// estimator below.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// Gradients of W ⊙ m from dy (the gradient of W ⊙ m), for i &lt; n: dw = dy·m, and
    /// dScores = sign(s)·dy·w with sign(0) = 0 — the top-k has no derivative, so the gradient that
    /// reaches m passes to |s| unchanged and then through the absolute value. Either output may be
    /// null when not needed (both null: nothing runs). dw may alias dy.
    /// </summary>
    public void ScoreMaskBackward(DeviceBuffer<float> w, DeviceBuffer<float> scores, DeviceBuffer<float> mask, DeviceBuffer<float> dy,
                                  DeviceBuffer<float>? dw, DeviceBuffer<float>? dScores, int n)
    {
        const string op = "ScoreMaskBackward";
        CheckCount(op, n);
        CheckLength(op, "w", w, n); CheckLength(op, "scores", scores, n);
        CheckLength(op, "mask", mask, n); CheckLength(op, "dy", dy, n);
        if (dw is not null) CheckLength(op, "dw", dw, n);
        if (dScores is not null) CheckLength(op, "dScores", dScores, n);
        if (n == 0 || (dw is null && dScores is null)) return;
        using var profile = Profile(OpFamily.ChannelMasking, 0, 24.0 * n);
        RunScoreMaskBackward(w, scores, mask, dy, dw, dScores, n);
    }

    protected abstract void RunScoreMaskBackward(DeviceBuffer<float> w, DeviceBuffer<float> scores, DeviceBuffer<float> mask, DeviceBuffer<float> dy,
                                                 DeviceBuffer<float>? dw, DeviceBuffer<float>? dScores, int n);
}
