namespace SparseCore.Kernels.Lstm;

/// <summary>
/// The per-element LSTM formulas, shared by the CPU loops and the ILGPU kernels so both backends
/// follow PyTorch's cell from one source. Gate values are post-activation: i, f, o ∈ (0, 1), g ∈ (−1, 1).
/// </summary>
public static class LstmMath
{
    public static float Cell(float i, float f, float g, float cPrev) => f * cPrev + i * g;

    public static float Hidden(float o, float c) => o * MathF.Tanh(c);

    /// <summary>The total gradient reaching c': its own, plus h' = o·tanh(c')'s.</summary>
    public static float CellGrad(float dh, float dc, float o, float c)
    {
        float t = MathF.Tanh(c);
        return dc + dh * o * (1f - t * t);
    }

    public static float InputGateGrad(float dCell, float i, float g) => dCell * g * i * (1f - i);

    public static float ForgetGateGrad(float dCell, float f, float cPrev) => dCell * cPrev * f * (1f - f);

    public static float CandidateGrad(float dCell, float i, float g) => dCell * i * (1f - g * g);

    public static float OutputGateGrad(float dh, float o, float c) => dh * MathF.Tanh(c) * o * (1f - o);
}
