package com.zenlogic.customerservice.api.grpc;

import com.zenlogic.customerservice.platform.auth.Permission;
import com.zenlogic.customerservice.api.grpc.v1.CategoryShare;
import com.zenlogic.customerservice.api.grpc.v1.FavouriteItem;
import com.zenlogic.customerservice.api.grpc.v1.GetFavouritesRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetFavouritesResponse;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentRequest;
import com.zenlogic.customerservice.api.grpc.v1.GetSegmentResponse;
import com.zenlogic.customerservice.platform.auth.Caller;
import com.zenlogic.customerservice.platform.errors.DomainException;
import com.zenlogic.customerservice.platform.values.Ids;
import com.zenlogic.customerservice.segmentation.SegmentationMessages;
import com.zenlogic.customerservice.segmentation.SegmentationService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * GetCustomerSegment for Pricing and Marketing (score, price group, top categories) and
 * GetCustomerFavourites for the till, over the event bus to the segmentation verticle.
 */
final class SegmentRpc {
  static final Permission READ = Permission.SEGMENTS_READ;
  /** Favourites are read at the till, with the customer: the POS's customers:read. */
  static final Permission FAVOURITES = Permission.CUSTOMERS_READ;

  private final Vertx vertx;

  SegmentRpc(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<GetSegmentResponse> segment(Caller caller, GetSegmentRequest r) {
    return SegmentationMessages.SEGMENT.request(vertx, new SegmentationMessages.CustomerQuery(caller, Ids.parse("customer_id", r.getCustomerId()))).map(s -> {
      GetSegmentResponse.Builder b = GetSegmentResponse.newBuilder()
          .setSegment(s.score().segment()).setRecencyScore(s.score().recency()).setFrequencyScore(s.score().frequency())
          .setMonetaryScore(s.score().monetary()).setVip(s.score().vip()).setChurnRisk(s.score().churnRisk());
      if (s.priceGroup() != null) {
        b.setPriceGroup(s.priceGroup());
      }
      s.topCategories().forEach(c -> b.addTopCategories(CategoryShare.newBuilder().setCategory(c.category())
          .setShare(c.share().toPlainString()).setSpend(c.spend().toPlainString()).setPurchaseCount(c.purchaseCount())
          .setLastPurchaseAt(c.lastPurchaseAt().toString())));
      return b.build();
    });
  }

  Future<GetFavouritesResponse> favourites(Caller caller, GetFavouritesRequest r) {
    int limit = r.getLimit() == 0 ? SegmentationService.FAVOURITES_DEFAULT_LIMIT : r.getLimit();
    if (limit < 1 || limit > SegmentationService.FAVOURITES_MAX_LIMIT) {
      throw DomainException.invalid("limit", "must be 1 to " + SegmentationService.FAVOURITES_MAX_LIMIT + " (0 for the default)");
    }
    return SegmentationMessages.FAVOURITES.request(vertx, new SegmentationMessages.FavouritesQuery(caller,
        Ids.parse("customer_id", r.getCustomerId()), limit)).map(f -> {
          GetFavouritesResponse.Builder b = GetFavouritesResponse.newBuilder().setCustomerId(f.customerId().toString());
          f.items().forEach(i -> {
            FavouriteItem.Builder item = FavouriteItem.newBuilder().setTimesBought(i.timesBought())
                .setLastBoughtAt(i.lastBoughtAt().toString()).setUsualQuantity(i.usualQuantity().toPlainString())
                .setScore(i.score().toPlainString());
            if (i.productId() != null) {
              item.setProductId(i.productId());
            }
            if (i.variantId() != null) {
              item.setVariantId(i.variantId());
            }
            if (i.name() != null) {
              item.setName(i.name());
            }
            if (i.category() != null) {
              item.setCategory(i.category());
            }
            b.addItems(item);
          });
          return b.build();
        });
  }
}
