// Shared search UI: the query input, the facet list and the query-editing helpers.
export { SearchBar, type SearchBarProps } from "./SearchBar";
export { FacetList, facetRows, type FacetGroup, type FacetListProps } from "./FacetList";
export * from "./query";
export { formatCount } from "./format";
