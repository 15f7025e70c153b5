"""Collaborative procurement: demand, lots, tenders, sealed bids, awards, OCDS."""
