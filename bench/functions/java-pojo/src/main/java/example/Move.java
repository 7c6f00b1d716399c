package example;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;

/** The benchmark's Java POJO handler: a typed event and result, mapped by the runtime (Jackson). */
public class Move implements RequestHandler<Move.Point, Move.Point> {
    public static class Point {
        public int x;
        public int y;
        public String label;
    }

    @Override
    public Point handleRequest(Point p, Context context) {
        Point out = new Point();
        out.x = p.x + 1;
        out.y = p.y + 1;
        out.label = p.label;
        return out;
    }
}
