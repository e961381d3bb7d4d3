namespace SparseCore.Kernels.Masked;

/// <summary>The score gradient's scalar math, shared by the ILGPU kernel and the CPU backend's tails.</summary>
public static class ScoreMaskMath
{
    /// <summary>
    /// sign(s)·dy·w. sign(±0) = 0, so a score at exactly 0 gets no gradient; a NaN score is passed
    /// through rather than read as 0, so a diverged score shows up in its gradient.
    /// </summary>
    public static float ScoreGradient(float dy, float w, float s) => dy * w * (s > 0f ? 1f : s < 0f ? -1f : s);
}
