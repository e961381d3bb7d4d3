namespace SparseCore.Kernels.Elementwise;

public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
}
