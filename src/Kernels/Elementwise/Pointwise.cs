namespace SparseCore.Kernels.Elementwise;

/// <summary>
/// The scalar math of every pointwise op and its derivative, in one place. The ILGPU kernels call
/// these very methods (ops passed as ints, a branch every thread of a launch takes the same way),
/// and the CPU backend uses them for the tails its SIMD paths leave.
/// </summary>
public static class Pointwise
{
    // GELU tanh approximation constants: sqrt(2/π) and the cubic coefficient.
    private const float GeluC = 0.7978845608028654f;
    private const float GeluA = 0.044715f;

    public static float Apply(int op, float x) => (UnaryOp)op switch
    {
        UnaryOp.Neg => -x,
        UnaryOp.Relu => x > 0f ? x : 0f,
        UnaryOp.Sigmoid => Sigmoid(x),
        UnaryOp.Tanh => MathF.Tanh(x),
        UnaryOp.Exp => MathF.Exp(x),
        UnaryOp.Log => MathF.Log(x),
        UnaryOp.Sign => Sign(x),
        _ => Gelu(x),
    };

    /// <summary>f'(x) expressed with the forward output y where that is cheaper.</summary>
    public static float Derivative(int op, float x, float y) => (UnaryOp)op switch
    {
        UnaryOp.Neg => -1f,
        UnaryOp.Relu => x > 0f ? 1f : 0f,
        UnaryOp.Sigmoid => y * (1f - y),
        UnaryOp.Tanh => 1f - y * y,
        UnaryOp.Exp => y,
        UnaryOp.Log => 1f / x,
        UnaryOp.Sign => 0f,
        _ => GeluDerivative(x),
    };

    /// <summary>1 above zero, −1 below, x itself otherwise (±0 and NaN), unlike MathF.Sign, which throws on NaN.</summary>
    public static float Sign(float x) => x > 0f ? 1f : x < 0f ? -1f : x;

    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    public static float Gelu(float x)
    {
        float u = GeluC * (x + GeluA * x * x * x);
        return 0.5f * x * (1f + MathF.Tanh(u));
    }

    public static float GeluDerivative(float x)
    {
        float u = GeluC * (x + GeluA * x * x * x);
        float t = MathF.Tanh(u);
        float du = GeluC * (1f + 3f * GeluA * x * x);
        return 0.5f * (1f + t) + 0.5f * x * (1f - t * t) * du;
    }

    public static float Binary(int op, float a, float b) => (BinaryOp)op switch
    {
        BinaryOp.Add => a + b,
        BinaryOp.Sub => a - b,
        BinaryOp.Mul => a * b,
        _ => a / b,
    };

    /// <summary>∂(a op b)/∂a.</summary>
    public static float BinaryDa(int op, float a, float b) => (BinaryOp)op switch
    {
        BinaryOp.Add => 1f,
        BinaryOp.Sub => 1f,
        BinaryOp.Mul => b,
        _ => 1f / b,
    };

    /// <summary>∂(a op b)/∂b.</summary>
    public static float BinaryDb(int op, float a, float b) => (BinaryOp)op switch
    {
        BinaryOp.Add => 1f,
        BinaryOp.Sub => -1f,
        BinaryOp.Mul => a,
        _ => -a / (b * b),
    };
}
