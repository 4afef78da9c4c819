"""HTTP routers and gRPC servicers: thin, they translate and delegate."""
