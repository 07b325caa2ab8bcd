package dev.panamax.ops;

import dev.panamax.tensor.Scope;
import dev.panamax.testing.OpCheck;
import dev.panamax.testing.Ref;
import dev.panamax.tensor.Generator;
import dev.panamax.tensor.Tensor;
import org.junit.jupiter.api.Test;

class HarnessSmokeTest {
    @Test
    void addBroadcastAndExp() {
        try (Scope scope = Scope.open()) {
            Generator g = new Generator(1);
            Tensor a = Tensor.randn(g, 3, 17);
            Tensor b = Tensor.randn(g, 17);
            OpCheck.check("add", x -> x[0].add(x[1]), r -> Ref.zip(r[0], r[1], Double::sum), a, b);
            OpCheck.check("exp strided", x -> OpCheck.strided(x[0]).exp(), r -> r[0].map(Math::exp), a);
            OpCheck.check("matmul", x -> x[0].matmul(x[1].t()), r -> {
                Ref o = Ref.zeros(3, 3);
                for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) { double s = 0; for (int k = 0; k < 17; k++) s += r[0].get(i, k) * r[1].get(j, k); o.data[i * 3 + j] = s; }
                return o;
            }, a, Tensor.randn(g, 3, 17));
        }
    }
}
