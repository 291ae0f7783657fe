"""The staff workspace: pages that compose several domains for the people at the counter — the
store's day (home) and the customer 360° page. It sits on the top layer (with analytics and the
portal) because it reads from customers, sales and, as they arrive, loyalty, insights and service;
the domain apps below never import it."""
